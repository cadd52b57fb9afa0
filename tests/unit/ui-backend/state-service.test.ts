// The live state service against a scripted engine and real registry/gate files in a temp dir: one snapshot,
// one engine request per refresh, nothing while idle, changes within 1 s, backoff while the engine is down.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../main/shared/contract';
import { createGateStore } from '../../../main/adapters/gate-store';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { nodeFiles } from '../../../main/adapters/files';
import { EngineUnavailableError, type Clock, type Deps, type Engine, type EngineEvent } from '../../../main/core/deps';
import type { ContainerInfo, InstanceRecord } from '../../../main/core/types';
import { viewOf } from '../../../main/core/use-cases/list';
import { createStateService, isStateChangingEvent, type LiveStateService } from '../../../main/ui-backend/state-service';
import { container, inertSync, localRemotes } from '../core/fakes';
import type { EnginesPort, EngineTarget } from '../../../main/core/engines';
import type { InstanceEngine, RemotesPort } from '../../../main/core/remotes';

const SERVICES = [
  'db',
  'backend',
  'backtest-worker-1',
  'backtest-worker-2',
  'training-worker-1',
  'training-worker-2',
  'grafana',
  'jaeger',
  'prometheus',
];
const FIXTURE_COMPOSE = join(import.meta.dirname, '..', '..', 'fixtures', 'stack', 'docker-compose.sandbox.yml');

class ScriptedEngine {
  containers: ContainerInfo[] = [];
  up = true;
  listCalls = 0;
  listDelayMs = 0;
  subscribers: { onEvent: (e: EngineEvent) => void; onError: (e: Error) => void }[] = [];
  async ping() {
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    return { endpoint: '/var/run/docker.sock', version: '20.10.24', apiVersion: '1.41' };
  }
  async listContainers() {
    this.listCalls++;
    if (this.listDelayMs) await new Promise((r) => setTimeout(r, this.listDelayMs));
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    return this.containers.map((c) => ({ ...c }));
  }
  async events(onEvent: (e: EngineEvent) => void, onError: (e: Error) => void) {
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    const sub = { onEvent, onError };
    this.subscribers.push(sub);
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== sub);
    };
  }
  emit(e: Partial<EngineEvent>) {
    for (const s of this.subscribers) s.onEvent({ project: 'p', service: 's', action: 'die', containerId: 'c', ...e });
  }
  /** The engine stops: the event stream ends. */
  crash() {
    this.up = false;
    for (const s of [...this.subscribers]) s.onError(new EngineUnavailableError('Docker event stream ended', '/var/run/docker.sock'));
    this.subscribers = [];
  }
}

let root: string;
let home: string;
let engine: ScriptedEngine;
let deps: Deps;
let svc: LiveStateService | null = null;
let rec: InstanceRecord;

async function registerInstance(id: string, slot: number): Promise<InstanceRecord> {
  const path = join(root, 'src', id);
  await mkdir(path, { recursive: true });
  await copyFile(FIXTURE_COMPOSE, join(path, 'docker-compose.sandbox.yml'));
  const r: InstanceRecord = {
    id,
    path,
    slot,
    kind: 'worktree',
    repo: join(root, 'src', 'ktrdr'),
    branch: id,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  await deps.registry.update((reg) => void (reg.instances[id] = r));
  return r;
}

function waitFor(s: LiveStateService, pred: (snap: Snapshot) => boolean, ms = 2000): Promise<Snapshot> {
  if (pred(s.current())) return Promise.resolve(s.current());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out; last snapshot: ${JSON.stringify(s.current()).slice(0, 600)}`));
    }, ms);
    const off = s.onChange((snap) => {
      if (pred(snap)) {
        clearTimeout(t);
        off();
        resolve(snap);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-state-'));
  home = join(root, 'home');
  engine = new ScriptedEngine();
  deps = {
    engine: engine as unknown as Engine,
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    files: nodeFiles,
    remotes: localRemotes(),
    home,
    sharedHome: join(root, 'shared'),
  } as unknown as Deps;
  rec = await registerInstance('ktrdr--feat-a', 1);
  engine.containers = SERVICES.map((s) => container(s, { project: rec.id, id: `id-${s}` }));
});

afterEach(async () => {
  await svc?.stop();
  svc = null;
  await rm(root, { recursive: true, force: true });
});

describe('state service', () => {
  it('builds one snapshot from the registry, ONE container listing and the gate files', async () => {
    svc = createStateService(deps, { repository: '/repo' });
    await svc.start();
    const s = svc.current();
    expect(s.engine).toEqual({ state: 'up', endpoint: '/var/run/docker.sock', version: '20.10.24' });
    expect(s.repository).toBe('/repo');
    expect(s.instances.map((i) => [i.id, i.status, i.containers.running, i.containers.total])).toEqual([[rec.id, 'running', 9, 9]]);
    expect(s.instances[0]!.links.find((l) => l.name === 'api')!.url).toBe('http://localhost:8001/api/v1/docs');
    expect(s.problems).toEqual([]);
    expect(engine.listCalls).toBe(1);
    expect(svc.engineRequests()).toBe(3); // ping + events + listContainers
  });

  it('makes no engine request while nothing changes', async () => {
    svc = createStateService(deps);
    await svc.start();
    const before = svc.engineRequests();
    await sleep(400);
    engine.emit({ action: 'exec_start: curl -fsS http://127.0.0.1:8000/health', project: rec.id });
    engine.emit({ action: 'exec_die', project: rec.id });
    await sleep(300);
    expect(svc.engineRequests()).toBe(before);
  });

  it('reflects a dying container within 1 s, a burst of events costing one listing', async () => {
    svc = createStateService(deps);
    await svc.start();
    const before = engine.listCalls;
    const t0 = Date.now();
    engine.containers = engine.containers.map((c) =>
      c.service === 'backtest-worker-1' ? { ...c, state: 'exited', status: 'Exited (137)' } : c,
    );
    for (const action of ['kill', 'die', 'stop']) engine.emit({ action, project: rec.id, service: 'backtest-worker-1' });
    const s = await waitFor(svc, (snap) => snap.instances[0]?.status === 'partial');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.instances[0]!.containers).toEqual({ running: 8, healthy: 8, total: 9 });
    await sleep(150);
    expect(engine.listCalls - before).toBe(1);
  });

  it('patches a death from the event itself when the engine is slow to list, without flipping back', async () => {
    svc = createStateService(deps);
    await svc.start();
    engine.listDelayMs = 600;
    const statuses: string[] = [];
    svc.onChange((snap) => statuses.push(snap.instances[0]!.status));
    const t0 = Date.now();
    engine.containers = engine.containers.map((c) =>
      c.service === 'backtest-worker-1' ? { ...c, state: 'exited', status: 'Exited (137)' } : c,
    );
    engine.emit({ action: 'die', project: rec.id, service: 'backtest-worker-1', containerId: 'id-backtest-worker-1' });
    await waitFor(svc, (snap) => snap.instances[0]?.status === 'partial');
    expect(Date.now() - t0).toBeLessThan(300); // long before the listing answers
    await sleep(900); // the confirming refresh
    expect(engine.listCalls).toBe(2);
    expect(statuses.every((x) => x === 'partial')).toBe(true);
    expect(svc.current().instances[0]!.containers.running).toBe(8);
  });

  it('pushes a death synchronously from its event, touching nothing but that instance', async () => {
    const other = await registerInstance('ktrdr--feat-b', 2);
    svc = createStateService(deps);
    await svc.start();
    const before = svc.current();
    const pushed: Snapshot[] = [];
    svc.onChange((snap) => pushed.push(snap));
    const reads = { gates: 0 };
    const read = deps.gates.read.bind(deps.gates);
    deps.gates.read = async (id) => (reads.gates++, read(id));
    engine.emit({ action: 'die', project: rec.id, service: 'training-worker-2', containerId: 'id-training-worker-2' });
    // no await: the pushed state already has it
    expect(pushed).toHaveLength(1);
    const a = pushed[0]!.instances.find((i) => i.id === rec.id)!;
    expect(a.containers).toEqual({ running: 8, healthy: 8, total: 9 });
    expect(a.status).toBe('partial');
    expect(pushed[0]!.instances.find((i) => i.id === other.id)).toBe(before.instances.find((i) => i.id === other.id));
    expect(reads.gates).toBe(0);
    // a second die of the same container (or of one already down) changes nothing
    engine.emit({ action: 'die', project: rec.id, service: 'training-worker-2', containerId: 'id-training-worker-2' });
    expect(pushed).toHaveLength(1);
  });

  const manifest = (base: number) =>
    [
      'version: 1',
      'compose:',
      '  files: [docker-compose.sandbox.yml]',
      'ports:',
      `  - { name: api, env: KTRDR_API_PORT, slot0: 8000, base: ${base}, step: 1, service: backend }`,
      'links:',
      '  - { name: api, label: API, url: "http://localhost:${KTRDR_API_PORT}/docs" }',
      '',
    ].join('\n');

  it('derives the same views as the core (manifest, compose file, gate report), re-reading only what changed', async () => {
    await writeFile(join(rec.path, 'ktrdr-sandbox.yml'), manifest(8100));
    await deps.gates.write({
      instance: rec.id,
      passed: true,
      startedAt: '2025-01-01T00:00:00.000Z',
      elapsedMs: 900,
      timeoutMs: 180000,
      checks: [],
      logTails: {},
    });
    engine.containers = engine.containers.map((c) => (c.service === 'grafana' ? { ...c, health: 'starting' } : c));
    const counts = { gates: 0 };
    const read = deps.gates.read.bind(deps.gates);
    deps.gates.read = async (id) => (counts.gates++, read(id));
    svc = createStateService(deps);
    await svc.start();
    const expected = await viewOf(deps, rec, engine.containers);
    expect(svc.current().instances[0]).toEqual(expected);
    expect(expected.links).toEqual([{ name: 'api', label: 'API', url: 'http://localhost:8101/docs' }]);
    expect(expected.lastGate).toMatchObject({ passed: true, elapsedMs: 900 });
    counts.gates = 0;
    for (let i = 0; i < 3; i++) await svc.refresh();
    expect(counts.gates).toBe(0); // the report's file did not change
    await deps.gates.write({
      instance: rec.id,
      passed: false,
      startedAt: '2025-01-02T00:00:00.000Z',
      elapsedMs: 5,
      timeoutMs: 180000,
      checks: [],
      logTails: {},
    });
    await svc.refresh();
    expect(svc.current().instances[0]!.lastGate).toMatchObject({ passed: false, at: '2025-01-02T00:00:00.000Z' });
    expect(svc.current().instances[0]).toEqual(await viewOf(deps, rec, engine.containers));
    await writeFile(join(rec.path, 'ktrdr-sandbox.yml'), manifest(8200));
    await svc.refresh();
    expect(svc.current().instances[0]!.links[0]!.url).toBe('http://localhost:8201/docs');
    expect(svc.current().instances[0]).toEqual(await viewOf(deps, rec, engine.containers));
  });

  it('follows the registry file (atomic renames) and the gate files', async () => {
    svc = createStateService(deps);
    await svc.start();
    const t0 = Date.now();
    const b = await registerInstance('ktrdr--feat-b', 2);
    await waitFor(svc, (snap) => snap.instances.some((i) => i.id === b.id));
    expect(Date.now() - t0).toBeLessThan(1000);
    await deps.gates.write({
      instance: rec.id,
      passed: false,
      startedAt: '2025-01-01T00:00:00.000Z',
      elapsedMs: 1234,
      timeoutMs: 180000,
      checks: [
        {
          name: 'backend',
          label: 'Backend healthy',
          state: 'failed',
          message: 'HTTP 500',
          attempts: 3,
          startedAt: 0,
          elapsedMs: 1200,
          services: ['backend'],
        },
      ],
      logTails: {},
    });
    const s = await waitFor(svc, (snap) => snap.instances.find((i) => i.id === rec.id)?.lastGate !== null);
    expect(s.instances.find((i) => i.id === rec.id)!.lastGate).toEqual({
      passed: false,
      at: '2025-01-01T00:00:00.000Z',
      elapsedMs: 1234,
      failed: ['backend'],
    });
  });

  it('recomputes a view when its compose file changes (memoised views stay correct)', async () => {
    engine.containers = [];
    svc = createStateService(deps);
    await svc.start();
    expect(svc.current().instances[0]!.containers.total).toBe(9);
    engine.emit({ action: 'start', project: 'other' });
    await sleep(200);
    expect(svc.current().instances[0]!.containers.total).toBe(9);
    await writeFile(join(rec.path, 'docker-compose.sandbox.yml'), 'services:\n  db:\n    image: x\n  backend:\n    image: x\n');
    engine.emit({ action: 'start', project: 'other' });
    await waitFor(svc, (snap) => snap.instances[0]!.containers.total === 2);
  });

  it('shows an unreadable registry as a problem, never as an empty list', async () => {
    svc = createStateService(deps);
    await svc.start();
    await writeFile(join(home, 'instances.json.tmp'), '{ broken');
    const { rename } = await import('node:fs/promises');
    await rename(join(home, 'instances.json.tmp'), join(home, 'instances.json'));
    const s = await waitFor(svc, (snap) => snap.problems.length > 0);
    expect(s.problems[0]).toMatch(/registry .* is unreadable/);
    expect(s.instances.map((i) => i.id)).toEqual([rec.id]);
  });

  it('marks busy instances and pushes the change', async () => {
    svc = createStateService(deps);
    await svc.start();
    const seen: Snapshot[] = [];
    svc.onChange((s) => seen.push(s));
    svc.setBusy(rec.id, 'starting');
    expect(seen.at(-1)!.busy).toEqual({ [rec.id]: 'starting' });
    svc.setBusy(rec.id, null);
    expect(seen.at(-1)!.busy).toEqual({});
  });

  it('reports the engine down, retries with backoff, and refreshes when it is back', async () => {
    engine.up = false;
    svc = createStateService(deps, { backoffMs: { initial: 150, max: 300 } });
    const delays: number[] = [];
    svc.onChange((snap) => {
      if (snap.engine.state === 'down' && delays.at(-1) !== snap.engine.retryInMs) delays.push(snap.engine.retryInMs);
    });
    await svc.start();
    let s = svc.current();
    expect(s.engine).toMatchObject({ state: 'down', message: 'Cannot connect to the Docker daemon' });
    expect(delays[0]).toBe(150);
    // the registry side still shows, with no container known
    expect(s.instances.map((i) => i.id)).toEqual([rec.id]);
    await waitFor(svc, (snap) => snap.engine.state === 'down' && snap.engine.retryInMs === 300, 3000);
    expect(delays).toEqual([150, 300]); // doubling, capped
    const requestsWhileDown = svc.engineRequests();
    await sleep(400);
    expect(svc.engineRequests() - requestsWhileDown).toBeLessThanOrEqual(3); // one ping per 300 ms at most
    engine.up = true;
    await waitFor(svc, (snap) => snap.engine.state === 'up' && snap.instances[0]?.status === 'running', 3000);
    expect(engine.subscribers.length).toBe(1);

    // the engine stops again: the stream ends → down → back
    engine.crash();
    s = await waitFor(svc, (snap) => snap.engine.state === 'down');
    expect(s.engine).toMatchObject({ state: 'down', retryInMs: 150 });
    engine.up = true;
    await waitFor(svc, (snap) => snap.engine.state === 'up', 3000);
    expect(engine.subscribers.length).toBe(1);
  });

  it('stops watching and streaming on stop()', async () => {
    svc = createStateService(deps);
    await svc.start();
    await svc.stop();
    expect(engine.subscribers.length).toBe(0);
    const n = svc.engineRequests();
    engine.emit({ action: 'die' });
    await registerInstance('ktrdr--feat-c', 3);
    await sleep(300);
    expect(svc.engineRequests()).toBe(n);
  });
});

describe('state service across engines (issue 13)', () => {
  /** Engines "lab" (answers) and "attic" (does not); the default one is the scripted engine. */
  function withEngines(lab: { containers: ContainerInfo[]; calls: number }) {
    const targets: EngineTarget[] = [
      { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true },
      { name: 'lab', kind: 'context', endpoint: 'ssh://root@127.0.0.1:2222', current: false },
      { name: 'attic', kind: 'context', endpoint: 'ssh://root@10.9.9.9', current: false },
    ];
    (deps as { clock: Clock }).clock = { now: () => Date.now(), sleep: async (ms) => void (await sleep(ms)) };
    const engines: EnginesPort = {
      targets: () => targets,
      listContainers: async (t) => {
        if (t.name === 'attic') throw new Error('ssh: connect to host 10.9.9.9 port 22: No route to host');
        lab.calls++;
        return lab.containers.map((c) => ({ ...c }));
      },
      // the dashboard's sampler (memory bars): no engine answers it here
      probe: async (t) => {
        throw new Error(`ssh: ${t.name} does not answer`);
      },
      lastSeen: () => null,
      remember: () => undefined,
      composeDocs: async () => [],
    };
    (deps as { engines: EnginesPort }).engines = engines;
  }

  async function placeOn(id: string, slot: number, context: string): Promise<void> {
    await registerInstance(id, slot);
    await deps.registry.update((reg) => void (reg.instances[id]!.engine = { context, endpoint: `ssh://${context}` }));
  }

  it('lists every engine an instance runs on: remote containers shown, an unreachable engine marks its instances (never drops them)', async () => {
    const lab = { containers: [] as ContainerInfo[], calls: 0 };
    withEngines(lab);
    await placeOn('ktrdr--far', 2, 'lab');
    await placeOn('ktrdr--attic', 3, 'attic');
    lab.containers = SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` }));
    svc = createStateService(deps, { remotePollMs: 100 });
    await svc.start();
    const byId = new Map(svc.current().instances.map((i) => [i.id, i]));
    expect([...byId.keys()].sort()).toEqual(['ktrdr--attic', 'ktrdr--far', rec.id]);
    expect(byId.get(rec.id)).toMatchObject({ status: 'running' });
    expect(byId.get(rec.id)!.engineStatus).toBeUndefined();
    expect(byId.get('ktrdr--far')).toMatchObject({ status: 'running', engineStatus: { name: 'lab', reachable: true } });
    expect(byId.get('ktrdr--attic')!.engineStatus).toMatchObject({
      name: 'attic',
      reachable: false,
      error: expect.stringContaining('No route'),
    });
    expect(svc.current().orphans).toEqual([]);
    expect(svc.current().problems).toEqual([]);
  });

  it('polls the remote engines on its own, refreshing (one default-engine listing) only when they changed', async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    withEngines(lab);
    // no event stream of that engine can be opened here: the state service polls it (streams: the next describe)
    const remotes: RemotesPort = {
      connect: async () => {
        throw new Error('ssh: connect to host 127.0.0.1 port 2222: Connection refused');
      },
      sync: inertSync(),
    };
    Object.assign(deps, { remotes });
    await placeOn('ktrdr--far', 2, 'lab');
    svc = createStateService(deps, { remotePollMs: 100 });
    await svc.start();
    // the dashboard's engine sampler answers once after the start (a new engine in use) and refreshes for it;
    // after that it samples at most every 15 s, so only the remote polls run below
    await sleep(200);
    const before = engine.listCalls;
    await sleep(450);
    expect(lab.calls).toBeGreaterThanOrEqual(3); // polled
    expect(engine.listCalls).toBe(before); // nothing changed there: the default engine is not asked
    lab.containers = lab.containers.map((c) => (c.service === 'backend' ? { ...c, state: 'exited', health: 'none' } : c));
    const s = await waitFor(svc, (x) => x.instances.find((i) => i.id === 'ktrdr--far')?.status === 'partial', 1500);
    expect(s.instances.find((i) => i.id === 'ktrdr--far')!.containers.running).toBe(SERVICES.length - 1);
    expect(engine.listCalls).toBe(before + 1);
  });
});

describe('state service: the event streams of other engines (issue 13)', () => {
  function withLab(lab: { containers: ContainerInfo[]; calls: number }): ScriptedEngine {
    const targets: EngineTarget[] = [
      { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true },
      { name: 'lab', kind: 'context', endpoint: 'ssh://root@127.0.0.1:2222', current: false },
    ];
    const engines: EnginesPort = {
      targets: () => targets,
      listContainers: async () => (lab.calls++, lab.containers.map((c) => ({ ...c }))),
      probe: async (t) => {
        throw new Error(`ssh: ${t.name} does not answer`);
      },
      lastSeen: () => null,
      remember: () => undefined,
      composeDocs: async () => [],
    };
    const there = new ScriptedEngine(); // the lab engine's own event stream, reached through the remotes port
    const remotes: RemotesPort = {
      connect: async (r) => {
        if (!there.up) throw new Error('ssh: connect to host 127.0.0.1 port 2222: Connection refused');
        return { name: r.engine!.context!, side: { engine: there as unknown as Engine } as InstanceEngine['side'], remote: null };
      },
      sync: inertSync(),
    };
    Object.assign(deps, { engines, remotes, clock: { now: () => Date.now(), sleep } });
    return there;
  }

  it("a container stopped on a remote engine shows from that engine's event stream, with no poll", async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    const there = withLab(lab);
    await registerInstance('ktrdr--far', 2);
    await deps.registry.update((reg) => void (reg.instances['ktrdr--far']!.engine = { context: 'lab', endpoint: 'ssh://lab' }));
    const log: string[] = [];
    svc = createStateService(deps, { remotePollMs: 60_000, log: { info: (m) => log.push(m) } });
    await svc.start();
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    expect(there.subscribers).toHaveLength(1);
    expect(log).toContain('engine lab: event stream followed');
    await sleep(200); // the refreshes of the start settle
    const listed = lab.calls;
    lab.containers = lab.containers.map((c) => (c.service === 'backend' ? { ...c, state: 'exited', health: 'none' } : c));
    there.emit({ project: 'ktrdr--far', service: 'backend', action: 'die', containerId: 'far-backend' });
    const snap = await waitFor(svc, (x) => x.instances.find((i) => i.id === 'ktrdr--far')?.status === 'partial', 1500);
    expect(snap.instances.find((i) => i.id === 'ktrdr--far')!.containers.running).toBe(SERVICES.length - 1);
    // patched from the event at once; the refresh it schedules lists that engine again (the poll is 60 s away)
    for (let t0 = Date.now(); lab.calls === listed && Date.now() - t0 < 1000;) await sleep(5);
    expect(lab.calls).toBeGreaterThan(listed);
    expect(svc.current().instances.find((i) => i.id === 'ktrdr--far')!.status).toBe('partial');
  });

  it('polls that engine only while its stream is down, and follows it again when it is back', async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    const there = withLab(lab);
    await registerInstance('ktrdr--far', 2);
    await deps.registry.update((reg) => void (reg.instances['ktrdr--far']!.engine = { context: 'lab', endpoint: 'ssh://lab' }));
    const log: string[] = [];
    svc = createStateService(deps, { remotePollMs: 50, backoffMs: { initial: 300, max: 300 }, log: { info: (m) => log.push(m) } });
    await svc.start();
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    await sleep(250);
    const quiet = lab.calls;
    await sleep(250);
    expect(lab.calls).toBe(quiet); // every stream up: no poll
    there.crash(); // the stream ends, and the next connects fail for a while
    await sleep(250);
    expect(lab.calls).toBeGreaterThanOrEqual(quiet + 3); // polled every 50 ms meanwhile
    expect(log.some((l) => /^engine lab: event stream lost, retrying in 300ms/.test(l))).toBe(true);
    there.up = true;
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    expect(log).toContain('engine lab: event stream reconnected');
    await sleep(200);
    const after = lab.calls;
    await sleep(250);
    expect(lab.calls).toBe(after); // followed again: the poll stopped
  });
});

describe('isStateChangingEvent', () => {
  it('ignores health-check execs and other noise', () => {
    expect(isStateChangingEvent({ action: 'exec_create: curl -f http://x' })).toBe(false);
    expect(isStateChangingEvent({ action: 'exec_start: pg_isready' })).toBe(false);
    expect(isStateChangingEvent({ action: 'exec_die' })).toBe(false);
    expect(isStateChangingEvent({ action: 'attach' })).toBe(false);
    // a signal changes nothing by itself: the `die` that follows when the container exits does
    expect(isStateChangingEvent({ action: 'kill' })).toBe(false);
    for (const a of [
      'create',
      'start',
      'die',
      'stop',
      'destroy',
      'pause',
      'unpause',
      'restart',
      'oom',
      'health_status: unhealthy',
      'health_status: healthy',
    ]) {
      expect(isStateChangingEvent({ action: a }), a).toBe(true);
    }
  });
});
