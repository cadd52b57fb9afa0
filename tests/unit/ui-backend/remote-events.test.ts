// The other engines' event streams (remote-events.ts), with a fake remotes port: one subscription per engine,
// events passed on, a dropped stream connected and subscribed again with backoff (logged once per loss), engines
// no longer used unsubscribed. The real stream over ssh is driven in tests/integration/remote-ops.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, EngineEvent } from '../../../main/core/deps';
import type { InstanceEngine } from '../../../main/core/remotes';
import type { InstanceRecord } from '../../../main/shared/types';
import { createRemoteStreams, type RemoteStreams } from '../../../main/ui-backend/remote-events';
import { record } from '../core/fakes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FakeStream {
  onEvent: (e: EngineEvent) => void;
  onError: (err: Error) => void;
  closed: boolean;
}

function fakeRemotes() {
  const streams: Record<string, FakeStream[]> = {};
  const connects: string[] = [];
  const failing = new Set<string>();
  const engineOf = (name: string): Engine =>
    ({
      events: async (onEvent: FakeStream['onEvent'], onError: FakeStream['onError']) => {
        const s: FakeStream = { onEvent, onError, closed: false };
        (streams[name] ??= []).push(s);
        return () => void (s.closed = true);
      },
    }) as unknown as Engine;
  const connect = async (rec: InstanceRecord): Promise<InstanceEngine> => {
    const name = rec.engine!.context!;
    connects.push(name);
    if (failing.has(name)) throw new Error(`ssh: connect to ${name}: Connection refused`);
    if (name === 'here') return { name, side: null, remote: null }; // the current engine, by context
    return { name, side: { engine: engineOf(name) } as InstanceEngine['side'], remote: null };
  };
  return { streams, connects, failing, connect };
}

const on = (id: string, context: string | null): InstanceRecord =>
  record(id, 1, context ? { engine: { context, endpoint: `ssh://${context}` } } : {});

let rs: RemoteStreams | null = null;
afterEach(() => {
  rs?.stop();
  rs = null;
});

describe('remote event streams', () => {
  it('one stream per engine (none for the current one), events passed on, every stream up', async () => {
    const f = fakeRemotes();
    const events: EngineEvent[] = [];
    let changes = 0;
    const log: string[] = [];
    rs = createRemoteStreams({
      connect: f.connect,
      onEvent: (e) => events.push(e),
      onChange: () => changes++,
      log: { info: (m) => log.push(m) },
    });
    rs.follow([on('a', 'lab'), on('b', 'lab'), on('c', null), on('d', 'attic'), on('e', 'here')]);
    expect(rs.allUp()).toBe(false); // subscribing
    await sleep(10);
    expect(rs.states()).toEqual({ lab: true, attic: true, here: true });
    expect(rs.allUp()).toBe(true);
    expect(f.streams.lab).toHaveLength(1);
    expect(f.streams.attic).toHaveLength(1);
    expect(f.streams.here).toBeUndefined();
    expect(changes).toBe(2);
    expect(log).toEqual(['engine lab: event stream followed', 'engine attic: event stream followed']);
    f.streams.lab![0]!.onEvent({ action: 'die', containerId: 'x', project: 'a', service: 'db' });
    expect(events).toEqual([{ action: 'die', containerId: 'x', project: 'a', service: 'db' }]);
    rs.follow([on('a', 'lab'), on('d', 'attic')]); // nothing new: no second subscription
    await sleep(10);
    expect(f.streams.lab).toHaveLength(1);
  });

  it('a dropped stream: down at once, connected and subscribed again with backoff, the loss logged once', async () => {
    const f = fakeRemotes();
    let changes = 0;
    const log: string[] = [];
    rs = createRemoteStreams({
      connect: f.connect,
      onEvent: () => undefined,
      onChange: () => changes++,
      backoffMs: { initial: 20, max: 40 },
      log: { info: (m) => log.push(m) },
    });
    rs.follow([on('a', 'lab')]);
    await sleep(10);
    expect(rs.allUp()).toBe(true);
    f.failing.add('lab'); // the engine's host is gone: the reconnects fail for a while
    f.streams.lab![0]!.onError(new Error('Docker event stream ended'));
    expect(rs.allUp()).toBe(false);
    expect(f.streams.lab![0]!.closed).toBe(true);
    expect(changes).toBe(2); // up, then down
    const attempts = () => f.connects.filter((c) => c === 'lab').length;
    for (let t0 = Date.now(); attempts() < 4 && Date.now() - t0 < 2000;) await sleep(5); // the first + three failed retries
    expect(attempts()).toBeGreaterThanOrEqual(4);
    expect(rs.allUp()).toBe(false);
    f.failing.delete('lab');
    for (let t0 = Date.now(); !rs.allUp() && Date.now() - t0 < 2000;) await sleep(5); // the next retry (≤ 40 ms: the max)
    expect(rs.allUp()).toBe(true);
    expect(f.streams.lab).toHaveLength(2);
    expect(changes).toBe(3);
    expect(log).toEqual([
      'engine lab: event stream followed',
      'engine lab: event stream lost, retrying in 20ms: Docker event stream ended',
      'engine lab: event stream reconnected',
    ]);
    // an error of the old, replaced stream changes nothing
    f.streams.lab![0]!.onError(new Error('late'));
    expect(rs.allUp()).toBe(true);
  });

  it('an engine no instance runs on any more is unsubscribed; stop ends every stream and retry', async () => {
    const f = fakeRemotes();
    f.failing.add('attic');
    rs = createRemoteStreams({
      connect: f.connect,
      onEvent: () => undefined,
      onChange: () => undefined,
      backoffMs: { initial: 10, max: 10 },
    });
    rs.follow([on('a', 'lab'), on('d', 'attic')]);
    await sleep(20);
    expect(rs.states()).toEqual({ lab: true, attic: false });
    rs.follow([on('d', 'attic')]);
    expect(f.streams.lab![0]!.closed).toBe(true);
    expect(Object.keys(rs.states())).toEqual(['attic']);
    rs.stop();
    const n = f.connects.length;
    await sleep(40);
    expect(f.connects.length).toBe(n); // no retry after stop
  });

  it('without a remotes port nothing is subscribed and the streams count as down (the poll stays on)', async () => {
    rs = createRemoteStreams({ onEvent: () => undefined, onChange: () => undefined, backoffMs: { initial: 1000, max: 1000 } });
    rs.follow([on('a', 'lab')]);
    await sleep(5);
    expect(rs.allUp()).toBe(false);
  });
});
