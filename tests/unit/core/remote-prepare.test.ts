// An instance on a remote engine, through the core (issue 13): the remotes port hands out that engine's side and
// its ssh link (faked here, recording calls); up forwards this machine's ports (checked first), syncs the source,
// notes the sync in the registry, makes the shared folders and copies images before compose runs THERE; down,
// status and logs act on that engine too. The real link is driven in tests/integration/remote-instance.test.ts.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Compose, ComposeTarget, Deps, GateStore, RegistryStore } from '../../../main/core/deps';
import type { EnginesPort } from '../../../main/core/engines';
import type { ProgressEvent } from '../../../main/core/events';
import type { InstanceEngine, RemoteLink, RemotesPort } from '../../../main/core/remotes';
import type { RegistryData } from '../../../main/shared/types';
import { composeImages, disconnectIfUnused } from '../../../main/core/use-cases/remote-prepare';
import { downInstance } from '../../../main/core/use-cases/down';
import { readLogs } from '../../../main/core/use-cases/logs';
import { statusOf } from '../../../main/core/use-cases/status';
import { upInstance } from '../../../main/core/use-cases/up';
import { fakeEnv, MemoryFiles } from './memory-files';
import { container, FakeClock, FakeEngine, FakeHttp, FakePortProbe, fakeDeps, inertSync, record, registryWith } from './fakes';

const ID = 'ktrdr--far';
const COMPOSE = `services:
  db:
    image: postgres:16
    ports: ["127.0.0.1:\${KTRDR_DB_PORT:-5432}:5432"]
  backend:
    image: x
    ports: ["127.0.0.1:\${KTRDR_API_PORT:-8000}:8000"]
`;
const dir = '/repos/far';

let files: MemoryFiles;
let reg: RegistryData;
let calls: string[];
let link: string[];
let events: ProgressEvent[];
let local: FakeEngine;
let there: FakeEngine;
let ports: FakePortProbe;
let forwarded: Set<number>;
let remoteDirs: Set<string>;

function composeOf(where: string): Compose {
  return {
    up: async (t: ComposeTarget) => void calls.push(`${where} compose up ${t.project}`),
    down: async (t: ComposeTarget) => void calls.push(`${where} compose down ${t.project}`),
  } as unknown as Compose;
}

/** The pid of the link's ssh master (what `ssh -O check` names). */
const MASTER_PID = 7777;

function remoteLink(): RemoteLink {
  return {
    engine: 'lab',
    endpoint: 'ssh://root@127.0.0.1:2222',
    forwardPorts: async (p) => void (link.push(`forward ${p.join(',')}`), p.forEach((x) => forwarded.add(x))),
    cancelPorts: async (p) => void (link.push(`cancel ${p.join(',')}`), p.forEach((x) => forwarded.delete(x))),
    forwarded: () => [...forwarded].sort((a, b) => a - b),
    alive: async () => true,
    ownPids: async () => [MASTER_PID],
    syncDir: async (d, o) => (link.push(`sync ${d}${o?.gitIgnore === false ? ' (all)' : ''}`), { ms: 5, files: 3 }),
    dirExists: async (d) => (link.push(`test ${d}`), remoteDirs.has(d)),
    mkdir: async (d) => void link.push(`mkdir ${d}`),
    removeDir: async (d) => void link.push(`rm ${d}`),
    disconnect: async () => void link.push('disconnect'),
    copyMissingImages: async (images) => (link.push(`images ${images.join(',')}`), images),
  };
}

function deps(): Deps {
  const registry: RegistryStore = { file: path.join(dir, 'instances.json'), read: async () => reg, update: async (fn) => fn(reg) };
  const gates: GateStore = { read: async () => null, write: async () => undefined, remove: async () => undefined };
  const on: InstanceEngine = {
    name: 'lab',
    side: { engine: there, compose: composeOf('remote'), ports: new FakePortProbe(), volumeIo: {} as Deps['volumeIo'] },
    remote: remoteLink(),
  };
  const remotes: RemotesPort = {
    connect: async (rec) => (rec.engine?.context === 'lab' ? on : { name: 'default', side: null, remote: null }),
    sync: inertSync(),
  };
  const engines = {
    composeDocs: async () => [{ services: { db: { image: 'postgres:16' }, backend: { image: 'x' } } }],
  } as unknown as EnginesPort;
  return fakeDeps({
    engine: local,
    compose: composeOf('local'),
    ports,
    registry,
    gates,
    remotes,
    engines,
    http: new FakeHttp(() => ({ status: 200, body: '{"workers":[1,2,3,4]}' })),
    clock: new FakeClock(),
    secrets: { get: async () => ({}), remove: async () => undefined, set: async () => undefined },
    files,
    env: fakeEnv(),
    sharedHome: path.join(dir, 'shared'),
  });
}

const ping = async () => ({ endpoint: 'fake', version: '20.10', apiVersion: '1.41' });

beforeEach(() => {
  files = new MemoryFiles({ [path.join(dir, 'docker-compose.sandbox.yml')]: COMPOSE });
  reg = registryWith(record(ID, 2, { path: dir, engine: { context: 'lab', endpoint: 'ssh://root@127.0.0.1:2222' } }));
  calls = [];
  link = [];
  events = [];
  forwarded = new Set();
  remoteDirs = new Set();
  local = new FakeEngine([]);
  local.ping = async () => {
    throw new Error('the local engine must not be asked about a remote instance');
  };
  there = new FakeEngine([
    container('db', { project: ID, id: 'c-db', health: 'healthy' }),
    container('backend', { project: ID, id: 'c-backend', health: 'healthy' }),
  ]);
  there.ping = ping;
  ports = new FakePortProbe();
});

describe('an instance on a remote engine, through the core', () => {
  it('up: ports forwarded (kept, then checked here and forwarded anew), source synced and noted, shared folders, images, then compose THERE', async () => {
    const r = await upInstance(deps(), { id: ID }, { wait: false }, (e) => events.push(e));
    expect(r.instance.id).toBe(ID);
    expect(calls).toEqual([`remote compose up ${ID}`]);
    const slot = '8002,5434'.split(',');
    expect(link[0]).toMatch(/^forward /); // the connection's forwards come back when the instance is resolved
    expect(link.slice(1, 4).map((l) => l.split(' ')[0])).toEqual(['cancel', 'forward', 'sync']);
    expect(link).toContain(`sync ${dir}`);
    expect(link.at(-1)).toBe('images postgres:16,x');
    for (const p of slot) expect(link[2]).toContain(p);
    expect(reg.instances[ID]!.engine).toMatchObject({ context: 'lab', source: { mode: 'sync', remotePath: dir } });
    const order = events.flatMap((e) => (e.type === 'step' && e.state === 'running' ? [e.id] : []));
    expect(order.indexOf('forwards')).toBeLessThan(order.indexOf('sync'));
    expect(order.indexOf('sync')).toBeLessThan(order.indexOf('compose-up'));
  });

  it('up: a slot port held here fails at once (exit 3), before any sync or image copy', async () => {
    ports.held.set(8002, { pid: 42, command: 'python3' });
    const err = await upInstance(deps(), { id: ID }, { wait: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PORT_CONFLICT' });
    expect(link.some((l) => l.startsWith('sync') || l.startsWith('images'))).toBe(false);
    expect(calls).toEqual([]);
  });

  it("up: a slot port still held by the link's own ssh master (a cancel it missed) is its own forward, replaced — not a conflict", async () => {
    ports.held.set(8002, { pid: MASTER_PID, command: 'ssh -f -N -T -o ControlMaster=yes …' });
    await upInstance(deps(), { id: ID }, { wait: false });
    expect(link.filter((l) => l.startsWith('forward')).at(-1)).toContain('8002');
    expect(calls).toEqual([`remote compose up ${ID}`]);
    ports.held.set(8002, { pid: MASTER_PID + 1, command: 'ssh somewhere-else' }); // another ssh is no forward of ours
    expect(await upInstance(deps(), { id: ID }, { wait: false }).catch((e: unknown) => e)).toMatchObject({ code: 'PORT_CONFLICT' });
  });

  it('down: compose down there, and the slot ports stop being forwarded here', async () => {
    await downInstance(deps(), { id: ID });
    expect(calls).toEqual([`remote compose down ${ID}`]);
    expect(link.at(-1)).toMatch(/^cancel .*8002/);
    expect(forwarded.size).toBe(0);
  });

  it('status: the containers of that engine, and the engine with its ssh connection and forwarded ports', async () => {
    const s = await statusOf(deps(), { id: ID });
    expect(s.instance.status).toBe('running');
    expect(s.engine).toMatchObject({ name: 'lab', endpoint: 'ssh://root@127.0.0.1:2222', tunnel: 'up' });
    expect(s.engine!.forwardedPorts).toContain(8002);
  });

  it('logs: read from the engine the instance runs on', async () => {
    there.logLines = { 'c-backend': ['2026-01-01T00:00:00.000Z hello from lab'] };
    const lines = await readLogs(deps(), { id: ID }, { services: ['backend'] });
    expect(lines.map((l) => l.text)).toEqual(['hello from lab']);
    expect(there.logCalls.map((c) => c.containerId)).toEqual(['c-backend']);
  });

  it('an instance on the current engine: no link, the base engine', async () => {
    reg = registryWith(record(ID, 2, { path: dir }));
    local.ping = ping;
    local.containers = there.containers;
    await downInstance(deps(), { id: ID });
    expect(calls).toEqual([`local compose down ${ID}`]);
    expect(link).toEqual([]);
  });

  it('disconnectIfUnused: the ssh connection stays while an instance still runs on that engine, and ends with the last', async () => {
    const d = deps();
    const far2 = record('ktrdr--far2', 3, { path: '/repos/far2', engine: { context: 'lab', endpoint: 'ssh://root@127.0.0.1:2222' } });
    reg.instances[far2.id] = far2;
    expect(await disconnectIfUnused(d, remoteLink())).toBe(false);
    expect(link).not.toContain('disconnect');
    delete reg.instances[ID];
    expect(await disconnectIfUnused(d, remoteLink())).toBe(false); // far2 is still there
    delete reg.instances[far2.id];
    expect(await disconnectIfUnused(d, remoteLink())).toBe(true);
    expect(link).toEqual(['disconnect']);
  });

  it('composeImages: plain image names only (one built from a variable is left to compose)', () => {
    expect(composeImages([{ services: { a: { image: 'b:1' }, c: { image: '${IMG}' }, d: {}, e: { image: 'a' } } }])).toEqual(['a', 'b:1']);
  });
});

describe('an instance whose source is shared by NFS (path map)', () => {
  const map = [{ local: '/repos', remote: '/mnt/nfs' }];
  const withVolumes = `services:
  backend:
    image: x
    ports: ["127.0.0.1:\${KTRDR_API_PORT:-8000}:8000"]
    volumes: ["./backend:/app", "pgdata:/data"]
`;
  beforeEach(() => {
    files.write(path.join(dir, 'docker-compose.sandbox.yml'), withVolumes);
    reg.instances[ID]!.engine = { context: 'lab', source: { mode: 'path-map', remotePath: '/mnt/nfs/far', localPath: dir, map } };
  });

  it('up: nothing synced, the mapped directory checked there, the override gives the engine the mapped bind source', async () => {
    remoteDirs.add('/mnt/nfs/far');
    await upInstance(deps(), { id: ID }, { wait: false }, (e) => events.push(e));
    expect(calls).toEqual([`remote compose up ${ID}`]);
    expect(link.some((l) => l.startsWith('sync'))).toBe(false);
    expect(link).toContain('test /mnt/nfs/far');
    expect(reg.instances[ID]!.engine?.source?.mode).toBe('path-map'); // not turned into a sync note
    const override = files.readText(`/tmp/fake-home/instances/${ID}/compose.override.yml`)!;
    expect(JSON.parse(override.replace(/^#.*\n/gm, '')).services.backend.volumes).toEqual(['/mnt/nfs/far/backend:/app']);
  });

  it('up: the mapped directory missing there fails before compose, with one line and a hint', async () => {
    const err = await upInstance(deps(), { id: ID }, { wait: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STATE', message: `/mnt/nfs/far does not exist on lab (the mapped path of ${dir})` });
    expect((err as { hint: string }).hint).toMatch(/--path-map LOCAL=REMOTE/);
    expect(calls).toEqual([]);
  });

  it('up: a directory under no LOCAL of the map fails before compose', async () => {
    reg.instances[ID]!.engine!.source!.map = [{ local: '/elsewhere', remote: '/mnt/nfs' }];
    const err = await upInstance(deps(), { id: ID }, { wait: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'STATE',
      message: expect.stringMatching(/^\/repos\/far is under no mapped path \(\/elsewhere → \/mnt\/nfs\)/),
    });
    expect(calls).toEqual([]);
  });
});
