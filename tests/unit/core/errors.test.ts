import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../../main/core/deps';
import { EXIT, SandboxError, toErrorPayload, type ErrorCode } from '../../../main/core/errors';

describe('exit codes', () => {
  it('documents 0 ok, 1 error, 2 gate, 3 ports, 4 engine, 5 capacity', () => {
    expect(EXIT).toEqual({ ok: 0, error: 1, gate: 2, ports: 3, engine: 4, capacity: 5 });
  });

  it.each([
    ['GATE_FAILED', 2],
    ['PORT_CONFLICT', 3],
    ['CAPACITY', 5],
    ['ENGINE_UNAVAILABLE', 4],
    ['USAGE', 1],
    ['STATE', 1],
    ['NOT_FOUND', 1],
    ['NOT_AN_INSTANCE', 1],
    ['REGISTRY_CORRUPT', 1],
    ['REGISTRY_LOCKED', 1],
    ['DIRTY_WORK', 1],
    ['GIT_FAILED', 1],
    ['COMPOSE_FAILED', 1],
    ['MANIFEST_INVALID', 1],
    ['NO_FREE_SLOT', 1],
    ['SECRETS_FAILED', 1],
    ['INSTANCE_BUSY', 1],
    ['INTERNAL', 1],
  ] as [ErrorCode, number][])('%s → exit %i', (code, exit) => {
    const e = new SandboxError(code, 'm');
    expect(e.exitCode).toBe(exit);
    expect(toErrorPayload(e).exitCode).toBe(exit);
  });
});

describe('SandboxError', () => {
  it('is an Error with code, hint, details and cause', () => {
    const cause = new Error('root');
    const e = new SandboxError('DIRTY_WORK', 'worktree has changes', { hint: 'commit first', details: { files: ['a'] }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SandboxError');
    expect(e.message).toBe('worktree has changes');
    expect(e.hint).toBe('commit first');
    expect(e.details).toEqual({ files: ['a'] });
    expect(e.cause).toBe(cause);
    expect(new SandboxError('USAGE', 'x').cause).toBeUndefined();
  });
});

describe('toErrorPayload', () => {
  it('serialises a SandboxError, omitting absent hint and details', () => {
    expect(toErrorPayload(new SandboxError('GATE_FAILED', 'gate failed', { hint: 'see logs', details: { checks: 2 } }))).toEqual({
      code: 'GATE_FAILED',
      message: 'gate failed',
      hint: 'see logs',
      details: { checks: 2 },
      exitCode: 2,
    });
    const p = toErrorPayload(new SandboxError('USAGE', 'bad'));
    expect(p).toEqual({ code: 'USAGE', message: 'bad', exitCode: 1 });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('a non-SandboxError with code ENGINE_UNAVAILABLE → exit 4', () => {
    expect(toErrorPayload(new EngineUnavailableError('Docker is not running (/var/run/docker.sock)', '/var/run/docker.sock'))).toEqual({
      code: 'ENGINE_UNAVAILABLE',
      message: 'Docker is not running (/var/run/docker.sock)',
      exitCode: 4,
    });
    expect(toErrorPayload({ code: 'ENGINE_UNAVAILABLE' })).toEqual({
      code: 'ENGINE_UNAVAILABLE',
      message: 'Docker is not available',
      exitCode: 4,
    });
  });

  it('anything else → INTERNAL, exit 1', () => {
    expect(toErrorPayload(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom', exitCode: 1 });
    expect(toErrorPayload(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toEqual({
      code: 'INTERNAL',
      message: 'nope',
      exitCode: 1,
    });
    expect(toErrorPayload('plain string')).toEqual({ code: 'INTERNAL', message: 'plain string', exitCode: 1 });
    expect(toErrorPayload(null)).toEqual({ code: 'INTERNAL', message: 'null', exitCode: 1 });
    expect(toErrorPayload(undefined)).toEqual({ code: 'INTERNAL', message: 'undefined', exitCode: 1 });
  });
});
