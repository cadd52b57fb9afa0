// `sync` and the watcher loop (core/use-cases/sync.ts) over a faked remote link and sync port: a change is sent
// once per batch and recorded in the watcher's state; the loop ends when told (state removed: `down`), when the
// instance is destroyed, and when the engine's host stays unreachable; a failed sync is shown and retried.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Deps, RegistryStore } from '../../../main/core/deps';
import type { InstanceEngine, RemoteLink, SyncPort } from '../../../main/core/remotes';
import type { RegistryData } from '../../../main/shared/types';
import { syncNow, watchSync } from '../../../main/core/use-cases/sync';
import type { SyncState } from '../../../main/shared/sync';
import { syncSummary } from '../../../main/shared/sync';
import { fakeEnv, MemoryFiles } from './memory-files';
import { FakeClock, fakeDeps, FakeEngine, record, registryWith } from './fakes';

const ID = 'ktrdr--far';
const dir = '/repos/far';
let reg: RegistryData;
let files: MemoryFiles;
let clock: FakeClock;
let sent: string[];
let states: Map<string, SyncState>;
let onChange: ((dir: string, rel: string | null) => void) | null;
let alive: boolean;
let connectFails: boolean;
let syncFails: boolean;
let forwards: number[][];

function link(): RemoteLink {
  return {
    engine: 'lab',
    endpoint: 'ssh://root@127.0.0.1:2222',
    forwardPorts: async (ports) => void forwards.push(ports),
    cancelPorts: async () => undefined,
    forwarded: () => [],
    alive: async () => alive,
    ownPids: async () => [],
    syncDir: async (d) => {
      if (syncFails) throw new Error('rsync to lab:/repos/far failed: connection closed\nmore');
      sent.push(d);
      return { ms: 7, files: 2 };
    },
    dirExists: async () => true,
    mkdir: async () => undefined,
    removeDir: async () => undefined,
    disconnect: async () => undefined,
    copyMissingImages: async () => [],
  };
}

function port(): SyncPort {
  return {
    watch: (_dirs, change) => {
      onChange = change;
      return () => void (onChange = null);
    },
    read: (id) => states.get(id) ?? null,
    write: (s) => void states.set(s.id, s),
    remove: (id) => void states.delete(id),
    start: async () => ({ pid: 1, started: true }),
    stop: async (id) => states.delete(id),
  };
}

function deps(): Deps {
  const registry: RegistryStore = { file: path.join(dir, 'instances.json'), read: async () => reg, update: async (fn) => fn(reg) };
  const remote = link();
  const on: InstanceEngine = { name: 'lab', side: { engine: new FakeEngine([]) } as never, remote };
  return fakeDeps({
    registry,
    clock,
    files,
    env: fakeEnv({ vars: {} }),
    sharedHome: '/home/u/.ktrdr/shared',
    remotes: {
      connect: async (rec) => {
        if (rec.engine?.context !== 'lab') return { name: 'default', side: null, remote: null };
        if (connectFails) throw new Error('ssh: connect to host 127.0.0.1 port 2222: Connection refused');
        alive = true; // a new master
        return on;
      },
      sync: port(),
    },
  });
}

const tick = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

beforeEach(() => {
  files = new MemoryFiles({ [path.join(dir, 'docker-compose.sandbox.yml')]: 'services:\n  backend:\n    image: x\n' });
  reg = registryWith(record(ID, 2, { path: dir, engine: { context: 'lab', source: { mode: 'sync', remotePath: dir } } }));
  clock = new FakeClock();
  sent = [];
  states = new Map();
  onChange = null;
  alive = true;
  connectFails = false;
  syncFails = false;
  forwards = [];
});

describe('sync once', () => {
  it('the worktree (and shared folders that exist here) sent now', async () => {
    const r = await syncNow(deps(), { id: ID });
    expect(r).toMatchObject({ id: ID, engine: 'lab', files: 2, dirs: [{ dir, files: 2, ms: 7 }] });
    expect(sent).toEqual([dir]);
  });

  it('refused, with one line, for an instance on the local engine or one shared by a path map', async () => {
    reg.instances[ID]!.engine = { context: null };
    await expect(syncNow(deps(), { id: ID })).rejects.toMatchObject({
      code: 'STATE',
      message: expect.stringMatching(/runs on the local engine/),
    });
    reg.instances[ID]!.engine = {
      context: 'lab',
      source: { mode: 'path-map', remotePath: '/mnt/far', map: [{ local: '/repos', remote: '/mnt' }] },
    };
    await expect(syncNow(deps(), { id: ID })).rejects.toMatchObject({ code: 'STATE', message: expect.stringMatching(/path map/) });
    expect(sent).toEqual([]);
  });
});

describe('the watcher', () => {
  it('syncs once at start, then once per burst of changes; .git changes send nothing; its state says so; down (state removed) ends it', async () => {
    const watching = watchSync(deps(), { id: ID }, { background: true, checkEveryMs: 5000 });
    await clock.sleep(300); // the first sync: what changed between up's sync and now
    expect(sent).toEqual([dir]);
    expect(states.get(ID)).toMatchObject({ id: ID, pid: 4242, state: 'watching', syncs: 1 });
    onChange!(dir, 'backend/app.py');
    onChange!(dir, 'backend/message.txt');
    onChange!(dir, '.git/index');
    await clock.sleep(300);
    expect(sent).toEqual([dir, dir]);
    onChange!(dir, '.git/HEAD');
    onChange!(dir, '.env.sandbox');
    await clock.sleep(300);
    expect(sent.length).toBe(2);
    const s = states.get(ID)!;
    expect(s).toMatchObject({ state: 'watching', syncs: 2, lastFiles: 2, lastMs: expect.any(Number) });
    // (the first sync, then the burst: two)
    expect(syncSummary(s, Date.parse(s.lastSyncAt!) + 3000)).toBe('sync: watching, last sync 3s ago, 2 files');
    states.delete(ID); // what `down` does (then SIGTERM)
    const end = await watching;
    expect(end).toEqual({ reason: null, syncs: 2 });
    expect(onChange).toBeNull(); // the watch was closed
    expect(states.has(ID)).toBe(false); // never written back
  });

  it('a failed sync is shown (one line) and tried again on the next check; the instance destroyed: it stops and says why', async () => {
    syncFails = true;
    const watching = watchSync(deps(), { id: ID }, { background: true, checkEveryMs: 5000 });
    await tick();
    await clock.sleep(300);
    expect(states.get(ID)).toMatchObject({ state: 'failed', error: 'rsync to lab:/repos/far failed: connection closed' });
    expect(syncSummary(states.get(ID)!, clock.now())).toBe(
      'sync failed: rsync to lab:/repos/far failed: connection closed (retried on the next change)',
    );
    syncFails = false;
    await clock.sleep(5500); // the check retries the failed directory
    expect(sent).toEqual([dir]);
    expect(states.get(ID)).toMatchObject({ state: 'watching', syncs: 1 });
    expect(states.get(ID)!.error).toBeUndefined();
    delete reg.instances[ID];
    const end = await watching;
    expect(end.reason).toBe('the instance was destroyed');
    expect(states.get(ID)).toMatchObject({ state: 'stopped', error: 'the instance was destroyed' });
    expect(syncSummary({ ...states.get(ID)!, alive: false }, clock.now())).toBe('sync: stopped (the instance was destroyed)');
  });

  it('the engine host gone: reconnects are tried at each check; gone for goneAfterMs, it stops', async () => {
    const watching = watchSync(deps(), { id: ID }, { background: true, checkEveryMs: 1000, goneAfterMs: 10_000 });
    await tick();
    await clock.sleep(300);
    alive = false;
    connectFails = true;
    const t0 = clock.now();
    const end = await watching;
    expect(clock.now() - t0).toBeGreaterThanOrEqual(10_000);
    expect(clock.now() - t0).toBeLessThan(13_000);
    expect(end.reason).toMatch(/^engine lab unreachable for 0 min: ssh: connect to host/);
  });

  it('the ssh connection dropped while the host answers: it comes back at the next check, with the slot ports forwarded again', async () => {
    const ac = new AbortController();
    const watching = watchSync(deps(), { id: ID }, { background: true, checkEveryMs: 1000, signal: ac.signal });
    await tick();
    await clock.sleep(1500);
    await tick();
    expect(forwards).toEqual([]); // up forwarded them; the watcher leaves them alone while the connection holds
    alive = false; // the master died; connect() brings a new one
    await clock.sleep(1000);
    await tick(6);
    expect(forwards.length).toBe(1);
    expect(forwards[0]!.length).toBeGreaterThan(0);
    expect(forwards[0]).toContain(8002); // slot 2's ports (the KTRDR preset: API 8000 + 2, …)
    expect(forwards[0]).not.toContain(8000);
    expect(states.get(ID)).toMatchObject({ state: 'watching', reconnects: 1 });
    ac.abort();
    await watching;
  });

  it('a foreground watch takes over: the background watcher is stopped first', async () => {
    states.set(ID, { id: ID, pid: 999, state: 'watching', startedAt: 'x', syncs: 5 });
    const ac = new AbortController();
    const watching = watchSync(deps(), { id: ID }, { signal: ac.signal });
    await tick();
    expect(states.get(ID)).toMatchObject({ pid: 4242, state: 'watching' });
    ac.abort();
    expect((await watching).reason).toBeNull();
  });
});
