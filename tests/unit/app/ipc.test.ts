import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, ipcEventName, ipcInvokeName, type InvokeChannel, type Result } from '../../../main/shared/contract';
import { SandboxError } from '../../../main/core/errors';
import {
  ARG_SPECS,
  createIpcEventSender,
  handleInvoke,
  invokeChannelTable,
  registerIpc,
  validateArgs,
  type IpcInvokeEventLike,
  type IpcMainLike,
} from '../../../main/app/ipc';
import type { Dispatch } from '../../../main/ui-backend/types';
import { snapshot } from './fixtures';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke(channel, ...args) would get back. */
  async invoke(channel: string, args: unknown[], url = 'file:///app/out/renderer/index.html'): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ senderFrame: { url } }, ...args);
  }
}

function fakeDispatch(impl?: (channel: InvokeChannel, args: unknown[]) => unknown): { dispatch: Dispatch; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const dispatch = (async (channel: InvokeChannel, args: unknown[]) => {
    calls.push([channel, args]);
    return { ok: true, value: impl ? await impl(channel, args) : null };
  }) as unknown as Dispatch;
  return { dispatch, calls };
}

describe('channel table', () => {
  it('has one prefixed wire name per contract channel', () => {
    const table = invokeChannelTable();
    expect(table.map((t) => t.channel)).toEqual([...INVOKE_CHANNELS]);
    expect(table.find((t) => t.channel === 'up')!.wire).toBe('ktrdr:up');
    expect(new Set(table.map((t) => t.wire)).size).toBe(INVOKE_CHANNELS.length);
  });
  it('has an argument spec for every channel and nothing else', () => {
    expect(Object.keys(ARG_SPECS).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});

describe('validateArgs', () => {
  it('accepts well-formed calls, with or without optional arguments', () => {
    expect(validateArgs('snapshot', [])).toBeNull();
    expect(validateArgs('up', ['a'])).toBeNull();
    expect(validateArgs('up', ['a', { build: true }])).toBeNull();
    expect(validateArgs('up', ['a', undefined])).toBeNull();
    expect(validateArgs('logs', ['a', 'backend', { tail: 50 }])).toBeNull();
    expect(validateArgs('create', [{ name: 'x' }])).toBeNull();
    expect(validateArgs('setSettings', [{ theme: 'dark' }])).toBeNull();
  });
  it('refuses a non-array argument list', () => {
    expect(validateArgs('up', 'a')).toMatchObject({ code: 'USAGE', message: 'up: arguments must be an array', exitCode: 1 });
    expect(validateArgs('snapshot', { length: 0 })?.code).toBe('USAGE');
  });
  it('refuses the wrong number of arguments', () => {
    expect(validateArgs('snapshot', [1])?.message).toBe('snapshot: expected 0 argument(s), got 1');
    expect(validateArgs('up', [])?.message).toBe('up: expected 1–2 argument(s), got 0');
    expect(validateArgs('logs', ['a'])?.message).toBe('logs: expected 2–3 argument(s), got 1');
  });
  it('refuses arguments of the wrong kind', () => {
    expect(validateArgs('up', [42])?.message).toBe('up: argument 1 must be a string');
    expect(validateArgs('up', ['a', 'build'])?.message).toBe('up: argument 2 must be an object');
    expect(validateArgs('create', [null])?.code).toBe('USAGE');
    expect(validateArgs('setSettings', [['theme']])?.code).toBe('USAGE');
  });
});

describe('handleInvoke', () => {
  it('passes valid calls to the dispatch and returns its envelope', async () => {
    const { dispatch, calls } = fakeDispatch(() => 'v');
    await expect(handleInvoke(dispatch, 'status', ['a'])).resolves.toEqual({ ok: true, value: 'v' });
    expect(calls).toEqual([['status', ['a']]]);
  });
  it('answers invalid calls with an error envelope without calling the dispatch', async () => {
    const { dispatch, calls } = fakeDispatch();
    const res = await handleInvoke(dispatch, 'status', []);
    expect(res.ok).toBe(false);
    expect(calls).toEqual([]);
  });
  it('never lets an exception out, even from a misbehaving dispatch', async () => {
    const boom = (async () => {
      throw new SandboxError('STATE', 'busy', { hint: 'wait' });
    }) as unknown as Dispatch;
    await expect(handleInvoke(boom, 'up', ['a'])).resolves.toEqual({
      ok: false,
      error: { code: 'STATE', message: 'busy', hint: 'wait', exitCode: 1 },
    });
    const raw = (() => {
      throw new TypeError('sync failure');
    }) as unknown as Dispatch;
    await expect(handleInvoke(raw, 'up', ['a'])).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: 'sync failure' },
    });
  });
});

describe('registerIpc with a fake ipcMain', () => {
  it('registers every channel and round-trips through the dispatch', async () => {
    const ipc = new FakeIpcMain();
    const { dispatch, calls } = fakeDispatch((c, a) => `${c}(${a.join(',')})`);
    registerIpc(ipc, dispatch);
    expect([...ipc.handlers.keys()]).toEqual(INVOKE_CHANNELS.map((c) => ipcInvokeName(c)));
    await expect(ipc.invoke('ktrdr:down', ['feat-a'])).resolves.toEqual({ ok: true, value: 'down(feat-a)' });
    expect(calls).toEqual([['down', ['feat-a']]]);
  });
  it('answers malformed calls with an envelope', async () => {
    const ipc = new FakeIpcMain();
    registerIpc(ipc, fakeDispatch().dispatch);
    const res = (await ipc.invoke('ktrdr:openLink', [{ href: 'x' }])) as Result<unknown>;
    expect(res).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
  it('refuses frames that are not the app when a sender check is given', async () => {
    const ipc = new FakeIpcMain();
    const { dispatch, calls } = fakeDispatch();
    registerIpc(ipc, dispatch, { isTrustedSender: (url) => url.startsWith('file:///app/') });
    const res = (await ipc.invoke('ktrdr:snapshot', [], 'https://evil.example/')) as Result<unknown>;
    expect(res).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(calls).toEqual([]);
    await expect(ipc.invoke('ktrdr:snapshot', [])).resolves.toMatchObject({ ok: true });
  });
  it('removes every handler on dispose', () => {
    const ipc = new FakeIpcMain();
    const dispose = registerIpc(ipc, fakeDispatch().dispatch);
    dispose();
    expect(ipc.handlers.size).toBe(0);
  });
});

describe('createIpcEventSender', () => {
  it('sends each event on its prefixed channel to every live window', () => {
    const a = { send: vi.fn(), isDestroyed: () => false };
    const b = { send: vi.fn(), isDestroyed: () => true };
    const c = {
      send: vi.fn(() => {
        throw new Error('Object has been destroyed');
      }),
      isDestroyed: () => false,
    };
    const send = createIpcEventSender(() => [a, b, c]);
    const s = snapshot();
    expect(() => send('state', s)).not.toThrow();
    expect(a.send).toHaveBeenCalledWith(ipcEventName('state'), s);
    expect(a.send).toHaveBeenCalledWith('ktrdr:event:state', s);
    expect(b.send).not.toHaveBeenCalled();
    send('log', { subscription: 's', service: 'backend', stream: 'stdout', text: 'hi' });
    expect(a.send).toHaveBeenLastCalledWith('ktrdr:event:log', { subscription: 's', service: 'backend', stream: 'stdout', text: 'hi' });
  });
});
