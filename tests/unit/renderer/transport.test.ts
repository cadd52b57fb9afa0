// Transport selection and the HTTP transport against a fake fetch and a fake EventSource.
import { describe, expect, it } from 'vitest';
import type { Api, Snapshot } from '../../../main/shared/contract';
import { createElectronTransport } from '../../../renderer/src/api/electron-transport';
import { createHttpTransport, type EventSourceLike, type FetchLike } from '../../../renderer/src/api/http-transport';
import { isBridge, selectTransport } from '../../../renderer/src/api/select-transport';

const snap: Snapshot = {
  engine: { state: 'up', endpoint: 'unix', version: '20' },
  instances: [],
  orphans: [],
  busy: {},
  repository: null,
  problems: [],
  updatedAt: 1,
};

function fakeBridge(): Api & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    transport: 'electron',
    calls,
    invoke: (async (channel: string, ...args: unknown[]) => {
      calls.push([channel, ...args]);
      return { ok: true, value: channel === 'snapshot' ? snap : null };
    }) as Api['invoke'],
    on: () => () => undefined,
  };
}

class FakeEventSource implements EventSourceLike {
  static last: FakeEventSource | null = null;
  static count = 0;
  listeners = new Map<string, ((e: { data?: unknown }) => void)[]>();
  onopen: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readyState = 0;
  closed = false;
  constructor(
    readonly url: string,
    readonly init?: { withCredentials?: boolean },
  ) {
    FakeEventSource.last = this;
    FakeEventSource.count++;
  }
  addEventListener(type: string, l: (e: { data?: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
  }
  fire(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) });
  }
}

describe('selectTransport', () => {
  it('uses the preload bridge when window.ktrdr is there', async () => {
    const bridge = fakeBridge();
    const api = selectTransport({ ktrdr: bridge });
    expect(api.transport).toBe('electron');
    expect(await api.invoke('snapshot')).toEqual({ ok: true, value: snap });
    expect(bridge.calls).toEqual([['snapshot']]);
  });

  it('falls back to HTTP + SSE in a browser (no bridge, or something that is not one)', () => {
    expect(selectTransport({}).transport).toBe('http');
    expect(selectTransport({ ktrdr: { invoke: 1 } }).transport).toBe('http');
    expect(selectTransport({ ktrdr: null }).transport).toBe('http');
    expect(isBridge(fakeBridge())).toBe(true);
  });

  it('the electron transport never throws, even if the bridge does', async () => {
    const api = createElectronTransport({
      transport: 'electron',
      invoke: (async () => {
        throw new Error('An object could not be cloned');
      }) as Api['invoke'],
      on: () => () => undefined,
    });
    expect(await api.invoke('slots')).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'An object could not be cloned', exitCode: 1 },
    });
  });
});

describe('http transport', () => {
  function fetchRecorder(reply: (url: string, body: unknown) => { status: number; body: unknown } | Error) {
    const calls: { url: string; init: Parameters<FetchLike>[1] }[] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push({ url, init });
      const r = reply(url, JSON.parse(init.body));
      if (r instanceof Error) throw r;
      return { ok: r.status < 400, status: r.status, json: async () => (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) };
    };
    return { fetch, calls };
  }

  it('POSTs the arguments as a JSON array and returns the envelope as it is', async () => {
    const { fetch, calls } = fetchRecorder((url, args) => ({ status: 200, body: { ok: true, value: { url, args } } }));
    const api = createHttpTransport({ fetch, EventSource: FakeEventSource });
    const r = await api.invoke('destroy', 'ktrdr--a', { force: true });
    expect(r).toEqual({ ok: true, value: { url: '/api/invoke/destroy', args: ['ktrdr--a', { force: true }] } });
    expect(calls[0]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' } });
    expect(await api.invoke('snapshot')).toMatchObject({ ok: true, value: { args: [] } });
  });

  it('passes error envelopes through and adds the token header when given', async () => {
    const error = { code: 'DIRTY_WORK', message: 'Refusing to destroy', hint: 'Commit', exitCode: 1 };
    const { fetch, calls } = fetchRecorder(() => ({ status: 200, body: { ok: false, error } }));
    const api = createHttpTransport({ fetch, EventSource: FakeEventSource, token: 'tok', base: 'http://127.0.0.1:9/' });
    expect(await api.invoke('destroy', 'x')).toEqual({ ok: false, error });
    expect(calls[0]!.url).toBe('http://127.0.0.1:9/api/invoke/destroy');
    expect(calls[0]!.init.headers['x-ktrdr-token']).toBe('tok');
  });

  it('never throws: network failures, 401 and garbage become error envelopes', async () => {
    const down = createHttpTransport({ fetch: fetchRecorder(() => new TypeError('Failed to fetch')).fetch, EventSource: FakeEventSource });
    expect(await down.invoke('slots')).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringContaining('not reachable') },
    });
    const unauth = createHttpTransport({ fetch: fetchRecorder(() => ({ status: 401, body: 'null' })).fetch, EventSource: FakeEventSource });
    expect(await unauth.invoke('slots')).toMatchObject({
      ok: false,
      error: { code: 'USAGE', message: expect.stringContaining('Not authorised') },
    });
    const garbage = createHttpTransport({
      fetch: async () => ({ ok: false, status: 502, json: async () => Promise.reject(new SyntaxError('bad json')) }),
      EventSource: FakeEventSource,
    });
    expect(await garbage.invoke('slots')).toMatchObject({ ok: false, error: { message: expect.stringContaining('HTTP 502') } });
  });

  it('opens ONE event stream on the first subscription and fans events out by name', () => {
    const before = FakeEventSource.count;
    const api = createHttpTransport({ fetch: fetchRecorder(() => ({ status: 200, body: {} })).fetch, EventSource: FakeEventSource });
    expect(FakeEventSource.count).toBe(before);
    const states: Snapshot[] = [];
    const logs: unknown[] = [];
    const offState = api.on('state', (s) => states.push(s));
    api.on('log', (l) => logs.push(l));
    expect(FakeEventSource.count).toBe(before + 1);
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/events');
    es.fire('state', snap);
    es.fire('log', { subscription: 's', service: 'backend', stream: 'stdout', text: 'hello' });
    expect(states).toEqual([snap]);
    expect(logs).toEqual([{ subscription: 's', service: 'backend', stream: 'stdout', text: 'hello' }]);
    offState();
    es.fire('state', snap);
    expect(states.length).toBe(1);
    const seen: string[] = [];
    api.onConnection((s) => seen.push(s));
    es.onopen!({});
    es.readyState = 2;
    es.onerror!({});
    expect(seen).toEqual(['connecting', 'open', 'lost']);
    api.close();
    expect(es.closed).toBe(true);
  });
});
