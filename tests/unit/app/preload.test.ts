import { beforeEach, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, type Api, type Snapshot } from '../../../main/shared/contract';
import { createPreloadApi, type IpcRendererLike } from '../../../preload/api';
import { snapshot } from './fixtures';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  listeners = new Map<string, Set<Listener>>();
  invoked: [string, unknown[]][] = [];
  reply: (channel: string, args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: 'pong' });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, args]);
    return this.reply(channel, args);
  }
  on(channel: string, listener: Listener): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  emit(channel: string, payload: unknown): void {
    const event = { sender: this, senderId: 0, ports: [] };
    for (const l of this.listeners.get(channel) ?? []) l(event, payload);
  }
  count(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

// The preload entry, against a mocked 'electron' module (the Electron binary is not available in unit tests).
const exposed = new Map<string, unknown>();
const fakeIpc = new FakeIpcRenderer();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: fakeIpc,
}));

describe('preload entry', () => {
  it('exposes exactly one key, "ktrdr", holding the contract Api and nothing of ipcRenderer', async () => {
    await import('../../../preload/index');
    expect([...exposed.keys()]).toEqual(['ktrdr']);
    const api = exposed.get('ktrdr') as Api;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'transport']);
    expect(api.transport).toBe('electron');
    expect(Object.values(api)).not.toContain(fakeIpc);
    expect(Object.isFrozen(api)).toBe(true);
  });
});

describe('createPreloadApi', () => {
  let ipc: FakeIpcRenderer;
  let api: Api;
  beforeEach(() => {
    ipc = new FakeIpcRenderer();
    api = createPreloadApi(ipc);
  });

  it('invokes the prefixed channel with the arguments and returns the envelope', async () => {
    await expect(api.invoke('up', 'feat-a', { build: true })).resolves.toEqual({ ok: true, value: 'pong' });
    expect(ipc.invoked).toEqual([['ktrdr:up', ['feat-a', { build: true }]]]);
  });

  it('maps every contract channel', async () => {
    for (const c of INVOKE_CHANNELS) await (api.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)(c);
    expect(ipc.invoked.map(([c]) => c)).toEqual(INVOKE_CHANNELS.map((c) => `ktrdr:${c}`));
  });

  it('refuses channels outside the contract without touching IPC', async () => {
    const res = await (api.invoke as (c: string) => Promise<unknown>)('__proto__');
    expect(res).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(ipc.invoked).toEqual([]);
  });

  it('turns an IPC failure or a malformed reply into an error envelope', async () => {
    ipc.reply = async () => {
      throw new Error("No handler registered for 'ktrdr:snapshot'");
    };
    await expect(api.invoke('snapshot')).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: "No handler registered for 'ktrdr:snapshot'", exitCode: 1 },
    });
    ipc.reply = async () => 'not an envelope';
    await expect(api.invoke('snapshot')).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('delivers event payloads without the IpcRendererEvent, and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = api.on('state', (...args: unknown[]) => got.push(args));
    expect(ipc.count('ktrdr:event:state')).toBe(1);
    const s: Snapshot = snapshot();
    ipc.emit('ktrdr:event:state', s);
    expect(got).toEqual([[s]]);
    off();
    off(); // idempotent
    expect(ipc.count('ktrdr:event:state')).toBe(0);
    ipc.emit('ktrdr:event:state', s);
    expect(got).toHaveLength(1);
  });

  it('keeps listeners of different events apart', () => {
    const logs: unknown[] = [];
    api.on('log', (p) => logs.push(p.text));
    ipc.emit('ktrdr:event:progress', { type: 'step' });
    ipc.emit('ktrdr:event:log', { subscription: 's', service: 'backend', stream: 'stdout', text: 'line' });
    expect(logs).toEqual(['line']);
  });

  it('refuses events outside the contract', () => {
    expect(() => (api.on as (e: string, l: () => void) => () => void)('ktrdr:up', () => undefined)).toThrow(TypeError);
  });
});
