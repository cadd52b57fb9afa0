// The Result envelope: every outcome of a handler becomes { ok: true, value } or { ok: false, error }.
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import { createDispatch } from '../../../main/ui-backend/handlers';
import type { Handlers } from '../../../main/ui-backend/types';

function handlers(over: Partial<Record<keyof Handlers, (...a: any[]) => Promise<unknown>>>): Handlers {
  return new Proxy(over as Handlers, {
    get(t, p) {
      if (p in t) return (t as any)[p];
      return async () => {
        throw new Error(`handler ${String(p)} not stubbed`);
      };
    },
  });
}

describe('createDispatch', () => {
  it('wraps a value in { ok: true }', async () => {
    const d = createDispatch(handlers({ checkName: async (name: string) => ({ name, valid: true }) }));
    expect(await d('checkName', ['feat-a'])).toEqual({ ok: true, value: { name: 'feat-a', valid: true } });
  });

  it('passes every argument through', async () => {
    let seen: unknown[] = [];
    const d = createDispatch(handlers({ destroy: async (...a: unknown[]) => ((seen = a), { id: 'x' }) }));
    await d('destroy', ['x', { force: true }]);
    expect(seen).toEqual(['x', { force: true }]);
  });

  it('turns a SandboxError into its code, message and hint', async () => {
    const d = createDispatch(
      handlers({
        destroy: async () => {
          throw new SandboxError('DIRTY_WORK', 'Refusing to destroy: work would be lost', {
            hint: 'Commit and push',
            details: [{ id: 'x' }],
          });
        },
      }),
    );
    const r = await d('destroy', ['x']);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'DIRTY_WORK',
        message: 'Refusing to destroy: work would be lost',
        hint: 'Commit and push',
        details: [{ id: 'x' }],
        exitCode: 1,
      },
    });
  });

  it('turns an unknown error into INTERNAL, and an engine failure into ENGINE_UNAVAILABLE', async () => {
    const d = createDispatch(
      handlers({
        up: async () => {
          throw new TypeError('boom');
        },
        down: async () => {
          throw Object.assign(new Error('Docker is not running'), { code: 'ENGINE_UNAVAILABLE' });
        },
        gate: async () => {
          throw 'a string';
        },
      }),
    );
    expect(await d('up', ['x'])).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom', exitCode: 1 } });
    expect(await d('down', ['x'])).toEqual({
      ok: false,
      error: { code: 'ENGINE_UNAVAILABLE', message: 'Docker is not running', exitCode: 4 },
    });
    const s = await d('gate', ['x']);
    expect(s.ok).toBe(false);
    expect(!s.ok && s.error.code).toBe('INTERNAL');
  });

  it('never throws: unknown channels and non-array arguments are errors too', async () => {
    const d = createDispatch(handlers({}));
    const r = await d('nope' as never, [] as never);
    expect(r).toMatchObject({ ok: false, error: { code: 'USAGE', message: 'Unknown channel "nope"' } });
    const r2 = await d('snapshot', 'x' as never);
    expect(r2).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});

describe('dispatch records every call', () => {
  it('logs duration and outcome, the stack of unexpected errors, and no arguments but an id', async () => {
    const lines: string[] = [];
    const log = {
      info: (m: string) => lines.push(`I ${m}`),
      error: (m: string, e?: unknown) => lines.push(`E ${m} ${(e as Error).stack ? 'with-stack' : ''}`),
    };
    let t = 0;
    const handlers = {
      up: async () => {
        t += 250;
        return { ok: 1 };
      },
      down: async () => {
        throw new SandboxError('NOT_FOUND', 'No instance "x"\nsecond line');
      },
      status: async () => {
        throw new TypeError('cannot read x of undefined');
      },
      create: async () => ({}),
    } as unknown as Handlers;
    const dispatch = createDispatch(handlers, log, () => t);
    await dispatch('up' as never, ['ktrdr--a'] as never);
    await dispatch('down' as never, ['x'] as never);
    await dispatch('status' as never, ['ktrdr--b'] as never);
    await dispatch('create' as never, [{ name: 'secret-ish' }] as never);
    expect(lines[0]).toBe('I call up ktrdr--a ok 250ms');
    expect(lines[1]).toBe('I call down x failed NOT_FOUND 0ms: No instance "x"');
    expect(lines[2]).toBe('E call status ktrdr--b failed INTERNAL 0ms with-stack');
    expect(lines[3]).toBe('I call create ok 0ms');
  });
});
