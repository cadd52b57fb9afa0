// Snapshots, restore, destroy --all and the capacity check of an instance on a remote engine, through the core with
// fakes (issue 13): every engine call goes to the engine the instance runs on — the local one is never asked about
// a remote instance — a helper image the remote engine lacks is copied there first, an archive is streamed over
// its Docker socket (never bind-mounted from this machine's disk), and a remote `up` that does not fit is refused
// before anything is synced or copied. The real engines and ssh: tests/integration/remote-ops.test.ts.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Compose, ComposeTarget, Deps, Engine, GateStore, RegistryStore } from '../../../main/core/deps';
import type { EngineFacts, EnginesPort } from '../../../main/core/engines';
import type { ProgressEvent } from '../../../main/core/events';
import type { InstanceEngine, RemoteLink, RemotesPort } from '../../../main/core/remotes';
import { loadInstance, resolveInstance } from '../../../main/core/resolve';
import type { SnapshotStore, VolumeIo } from '../../../main/core/snapshot-ports';
import type { SnapshotMeta } from '../../../main/shared/snapshot-types';
import type { RegistryData } from '../../../main/shared/types';
import { destroyAll } from '../../../main/core/use-cases/destroy';
import { saveSnapshot } from '../../../main/core/use-cases/snapshot-save';
import { restoreIntoNewVolumes } from '../../../main/core/use-cases/snapshot-restore';
import { upInstance } from '../../../main/core/use-cases/up';
import { fakeEnv, MemoryFiles } from './memory-files';
import { container, FakeClock, FakeEngine, FakePortProbe, fakeDeps, inertSync, record, registryWith } from './fakes';

const FAR = 'app--far';
const NEAR = 'app--near';
const COMPOSE = `services:
  db:
    image: pg:16
    volumes: ["pgdata:/data"]
    ports: ["127.0.0.1:\${KTRDR_DB_PORT:-5432}:5432"]
volumes:
  pgdata:
`;
const root = '/repos';
const GiB = 1024 ** 3;

let files: MemoryFiles;
let reg: RegistryData;
let calls: string[];
let link: string[];
let local: FakeEngine;
let there: FakeEngine;
/** Images each side's volume I/O knows. */
let images: { local: Set<string>; remote: Set<string> };
let volumes: { local: Set<string>; remote: Set<string> };
let snapshots: Map<string, SnapshotMeta>;

function composeOf(where: string): Compose {
  return {
    up: async (t: ComposeTarget) => void calls.push(`${where} compose up ${t.project}`),
    down: async (t: ComposeTarget) => void calls.push(`${where} compose down ${t.project}`),
  } as unknown as Compose;
}

function volumeIo(where: 'local' | 'remote'): VolumeIo {
  const log = (s: string) => void calls.push(`${where} ${s}`);
  return {
    containerImage: async (id) => (log(`containerImage ${id}`), 'sha256:pg'),
    imageId: async (ref) => (images[where].has(ref) ? 'sha256:pg' : null),
    stop: async (ids) => (log(`stop ${ids.join(',')}`), ids.map((id) => ({ id, exitCode: 0 }))),
    start: async (ids) => log(`start ${ids.join(',')}`),
    volumeExists: async (name) => volumes[where].has(name),
    createVolume: async (name) => (log(`createVolume ${name}`), void volumes[where].add(name)),
    inspectVolume: async () => ({ exitCode: 1, output: 'not postgres' }),
    exportVolume: async (spec, file) => (log(`export ${spec.volume} → ${file}`), { bytes: 10, stored: 10 }),
    importVolume: async (spec, file, o) => (
      log(`import ${file} → ${spec.volume} via ${o.via ?? 'auto'} image ${spec.image}`),
      { bytes: 10, via: 'api' }
    ),
  };
}

function snapshotStore(): SnapshotStore {
  return {
    root: '/home/snapshots',
    list: async () => [...snapshots.values()].map((meta) => ({ meta, dir: `/home/snapshots/${meta.name}`, sizeOnDisk: 10 })),
    get: async (name) => {
      const meta = snapshots.get(name);
      return meta ? { meta, dir: `/home/snapshots/${name}`, sizeOnDisk: 10 } : null;
    },
    begin: async (name) => ({
      dir: `/home/snapshots/.draft-${name}`,
      file: (f) => `/home/snapshots/.draft-${name}/${f}`,
      commit: async (meta) => (snapshots.set(name, meta), { meta, dir: `/home/snapshots/${name}`, sizeOnDisk: 10 }),
      abort: async () => undefined,
    }),
    archive: (name, file) => `/home/snapshots/${name}/${file}`,
    secrets: async () => ({}),
    remove: async () => 0,
    defaults: async () => ({}),
    setDefault: async () => undefined,
  };
}

function remoteLink(): RemoteLink {
  return {
    engine: 'lab',
    endpoint: 'ssh://root@127.0.0.1:2222',
    forwardPorts: async (p) => void link.push(`forward ${p.join(',')}`),
    cancelPorts: async (p) => void link.push(`cancel ${p.join(',')}`),
    forwarded: () => [],
    alive: async () => true,
    ownPids: async () => [],
    syncDir: async (d) => (link.push(`sync ${d}`), { ms: 1, files: 1 }),
    mkdir: async (d) => void link.push(`mkdir ${d}`),
    removeDir: async (d) => void link.push(`rm ${d}`),
    disconnect: async () => void link.push('disconnect'),
    dirExists: async () => true,
    copyMissingImages: async (list) => {
      const copied = list.filter((i) => images.local.has(i) && !images.remote.has(i));
      for (const i of copied) images.remote.add(i);
      link.push(`images ${list.join(',')} → copied ${copied.join(',')}`);
      return copied;
    },
  };
}

function deps(over: Partial<Deps> = {}): Deps {
  const registry: RegistryStore = { file: '/home/instances.json', read: async () => reg, update: async (fn) => fn(reg) };
  const gates: GateStore = { read: async () => null, write: async () => undefined, remove: async () => undefined };
  const on: InstanceEngine = {
    name: 'lab',
    side: { engine: there, compose: composeOf('remote'), ports: new FakePortProbe(), volumeIo: volumeIo('remote') },
    remote: remoteLink(),
  };
  const remotes: RemotesPort = {
    connect: async (rec) => (rec.engine?.context === 'lab' ? on : { name: 'default', side: null, remote: null }),
    sync: inertSync(),
  };
  return fakeDeps({
    engine: local,
    compose: composeOf('local'),
    volumeIo: volumeIo('local'),
    snapshots: snapshotStore(),
    ports: new FakePortProbe(),
    registry,
    gates,
    remotes,
    clock: new FakeClock(),
    secrets: { get: async () => ({}), remove: async () => undefined, set: async () => undefined },
    git: { head: async () => 'abc' } as unknown as Deps['git'],
    files,
    env: fakeEnv(),
    home: '/home',
    sharedHome: '/home/shared',
    ...over,
  });
}

const ping = async () => ({ endpoint: 'fake', version: '20.10', apiVersion: '1.41' });
/** An engine whose resources are removed by label (destroy's fallback), recording it. */
function removable(e: FakeEngine, where: string, project: string): void {
  let gone = false;
  e.projectResources = (async (id: string) =>
    !gone && id === project
      ? { containers: ['c1'], volumes: [`${id}_pgdata`], networks: [] }
      : { containers: [], volumes: [], networks: [] }) as Engine['projectResources'];
  e.removeProjectResources = (async (id: string) => {
    calls.push(`${where} remove ${id}`);
    gone = true;
  }) as Engine['removeProjectResources'];
}

beforeEach(() => {
  files = new MemoryFiles({
    [path.join(root, FAR, 'docker-compose.sandbox.yml')]: COMPOSE,
    [path.join(root, NEAR, 'docker-compose.sandbox.yml')]: COMPOSE,
  });
  reg = registryWith(
    record(FAR, 2, { path: path.join(root, FAR), kind: 'clone', engine: { context: 'lab', endpoint: 'ssh://root@127.0.0.1:2222' } }),
    record(NEAR, 3, { path: path.join(root, NEAR), kind: 'clone' }),
  );
  calls = [];
  link = [];
  images = { local: new Set(['pg:16']), remote: new Set() };
  volumes = { local: new Set(), remote: new Set() };
  snapshots = new Map();
  local = new FakeEngine([]);
  local.ping = async () => {
    throw new Error('the local engine must not be asked about a remote instance');
  };
  there = new FakeEngine([container('db', { project: FAR, id: 'c-far-db' })]);
  there.ping = ping;
});

describe('snapshots of an instance on a remote engine', () => {
  it('save: its containers stopped, its volume copied out and started again, all on that engine; the archive lands here', async () => {
    volumes.remote.add(`${FAR}_pgdata`);
    const s = await saveSnapshot(deps(), { id: FAR }, { name: 's1', volumes: ['pgdata'] });
    expect(s).toMatchObject({ name: 's1', method: 'stopped', source: { instance: FAR }, image: 'sha256:pg' });
    expect(calls).toEqual([
      'remote containerImage c-far-db',
      'remote stop c-far-db',
      `remote export ${FAR}_pgdata → /home/snapshots/.draft-s1/pgdata.tar`,
      'remote start c-far-db',
    ]);
    expect(snapshots.has('s1')).toBe(true);
  });

  it('save: a volume that exists only on the local engine is not found (the remote engine is asked)', async () => {
    volumes.local.add(`${FAR}_pgdata`);
    await expect(saveSnapshot(deps(), { id: FAR }, { name: 's1', volumes: ['pgdata'] })).rejects.toThrow(
      /has no volume app--far_pgdata yet/,
    );
  });

  it('restore into new volumes there: the helper image copied from here first, the archive streamed over the API', async () => {
    snapshots.set('s1', {
      version: 1,
      name: 's1',
      createdAt: '2026-01-01T00:00:00Z',
      repo: '/repos/app',
      source: { instance: NEAR, path: '/repos/app--near', branch: 'near' },
      commit: null,
      migrationHead: null,
      composeHash: 'x',
      composeFiles: ['docker-compose.sandbox.yml'],
      method: 'offline',
      image: 'sha256:pg',
      volumes: [{ key: 'pgdata', source: `${NEAR}_pgdata`, file: 'pgdata.tar', bytes: 10, stored: 10, services: ['db'] }],
      secrets: [],
      elapsedMs: 1,
    });
    there.containers = [];
    const d = deps();
    const rec = await resolveInstance(d, { id: FAR });
    const on = await d.remotes.connect(rec);
    const thereDeps = { ...d, ...on.side! } as Deps;
    const ctx = await loadInstance(thereDeps, rec);
    const events: ProgressEvent[] = [];
    const r = await restoreIntoNewVolumes(thereDeps, ctx, 's1', { force: true }, (e) => events.push(e), { remote: on.remote });
    expect(r.volumes).toEqual([{ key: 'pgdata', volume: `${FAR}_pgdata`, bytes: 10 }]);
    expect(link).toEqual(['images pg:16 → copied pg:16']);
    expect(calls).toEqual([
      `remote createVolume ${FAR}_pgdata`,
      `remote import /home/snapshots/s1/pgdata.tar → ${FAR}_pgdata via api image sha256:pg`,
    ]);
    expect(volumes.local.size).toBe(0);
  });

  it('restore on the local engine: no copy, the engine may read the archive itself (via auto)', async () => {
    snapshots.set('s1', {
      ...({} as SnapshotMeta),
      version: 1,
      name: 's1',
      composeHash: 'x',
      composeFiles: [],
      migrationHead: null,
      image: 'sha256:pg',
      volumes: [{ key: 'pgdata', source: 'x', file: 'pgdata.tar', bytes: 10, stored: 10, services: ['db'] }],
      secrets: [],
    });
    const d = deps();
    const ctx = await loadInstance(d, await resolveInstance(d, { id: NEAR }));
    await restoreIntoNewVolumes(d, ctx, 's1', { force: true }, () => undefined);
    expect(link).toEqual([]);
    expect(calls.at(-1)).toBe(`local import /home/snapshots/s1/pgdata.tar → ${NEAR}_pgdata via auto image sha256:pg`);
  });
});

describe('destroy --all across engines', () => {
  it("removes each instance's objects on its own engine, and the remote one's synced copy and forwards", async () => {
    local.ping = ping;
    removable(local, 'local', NEAR);
    removable(there, 'remote', FAR);
    reg.instances[FAR]!.engine!.source = { mode: 'sync', remotePath: path.join(root, FAR) };
    const out = await destroyAll(deps(), { force: true });
    expect(out.map((r) => r.id).sort()).toEqual([FAR, NEAR]);
    // compose down on each one's engine (the fake leaves its objects), then the removal by label there
    expect(calls.sort()).toEqual([
      `local compose down ${NEAR}`,
      `local remove ${NEAR}`,
      `remote compose down ${FAR}`,
      `remote remove ${FAR}`,
    ]);
    // its forwards, its synced copy, then — no instance left on that engine — the ssh connection itself
    expect(link).toEqual([expect.stringMatching(/^cancel 8002,5434/), `rm ${path.join(root, FAR)}`, 'disconnect']);
    expect(Object.keys(reg.instances)).toEqual([]);
  });

  it('an engine that does not answer stops it before anything is removed', async () => {
    local.ping = ping;
    removable(local, 'local', NEAR);
    there.ping = async () => {
      throw Object.assign(new Error('Engine "lab" is not reachable'), { code: 'ENGINE_UNAVAILABLE' });
    };
    await expect(destroyAll(deps(), { force: true })).rejects.toThrow(/not reachable/);
    expect(calls).toEqual([]);
    expect(Object.keys(reg.instances).sort()).toEqual([FAR, NEAR]);
  });
});

describe('capacity of a remote up', () => {
  it('checked first: a stack that does not fit is refused before any sync, forward or image copy', async () => {
    const engines: EnginesPort = {
      targets: () => [
        { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true },
        { name: 'lab', kind: 'context', endpoint: 'ssh://root@127.0.0.1:2222', current: false },
      ],
      probe: async (): Promise<EngineFacts> => ({
        version: '27',
        cpus: 2,
        memTotal: 4 * GiB,
        running: [{ id: 'x', labels: {} }],
        memUsage: { x: 3.9 * GiB },
      }),
      lastSeen: () => ({ at: '2026-01-01T00:00:00Z', engine: 'lab', memoryBytes: 2 * GiB, containers: 1 }),
      remember: () => undefined,
      listContainers: async () => [],
      composeDocs: async () => [],
    };
    there.containers = [];
    const events: ProgressEvent[] = [];
    const on = fakeEnv({ vars: {} }); // the capacity check on (fakeEnv turns it off by default)
    const err = await upInstance(deps({ engines, env: on }), { id: FAR }, { wait: false }, (e) => events.push(e)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CAPACITY' });
    expect(link.filter((l) => !l.startsWith('forward '))).toEqual([]); // only the forwards kept when resolving
    expect(link.some((l) => l.startsWith('sync') || l.startsWith('images') || l.startsWith('cancel'))).toBe(false);
    expect(calls).toEqual([]);
    const started = events.flatMap((e) => (e.type === 'step' && e.state === 'running' ? [e.id] : []));
    expect(started).not.toContain('sync');
  });
});
