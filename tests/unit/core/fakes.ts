// Shared fakes for the core unit tests: a virtual clock, a scripted engine, HTTP and port probe.
import type { Clock, Deps, Engine, ExecResult, Http, LogLine, PortOwner, PortProbe, Tcp } from '../../../main/core/deps';
import { manifestSchema, type Manifest, type ManifestInput } from '../../../main/core/manifest-schema';
import { emptyRegistry } from '../../../main/core/registry';
import { fakeEnv, MemoryFiles } from './memory-files';
import { LOCAL_ENGINE, type RemotesPort, type SyncPort } from '../../../main/core/remotes';
import { runGate, type GateEvent } from '../../../main/core/gate';
import type { CheckResult, ComposeHealthcheck, ContainerInfo, GateReport, InstanceRecord, RegistryData } from '../../../main/shared/types';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * Discrete-event clock. sleep() registers a timer; once every runnable promise has settled (a macrotask later)
 * the clock jumps to the earliest timer and resolves it. Concurrent sleepers therefore share one timeline,
 * and a 180 s gate runs in milliseconds of real time.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private scheduled = false;
  sleeps = 0;

  constructor(start = T0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** ms since the clock was created at T0 (or `start`). */
  elapsed(start = T0): number {
    return this.t - start;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps++;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    if (!this.timers.length) return;
    const next = Math.min(...this.timers.map((x) => x.at));
    this.t = Math.max(this.t, next);
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.fire();
    if (this.timers.length) this.schedule();
  }
}

export function container(service: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  const state = over.state ?? 'running';
  const health = over.health ?? 'none';
  return {
    id: `id-${over.project ?? 'proj'}-${service}`,
    name: `${over.project ?? 'proj'}-${service}-1`,
    project: 'proj',
    service,
    state,
    status: state === 'running' ? `Up 5 seconds${health === 'none' ? '' : ` (${health})`}` : 'Exited (1) 2 seconds ago',
    health,
    ports: [],
    oneOff: false,
    ...over,
  };
}

const notFaked = (what: string) => () => {
  throw new Error(`${what} is not faked in this test`);
};

/** A scripted engine: containers and exec results may depend on the (fake) time. */
export class FakeEngine implements Engine {
  listCalls = 0;
  execCalls: { containerId: string; cmd: string[]; timeoutMs?: number }[] = [];
  logCalls: { containerId: string; tail?: number }[] = [];

  constructor(
    public containers: ContainerInfo[] | (() => ContainerInfo[]) = [],
    public execHandler: (containerId: string, cmd: string[]) => ExecResult | Promise<ExecResult> = () => ({ exitCode: 0, output: '' }),
    public logLines: Record<string, string[]> = {},
  ) {}

  ping = notFaked('engine.ping') as unknown as Engine['ping'];
  followLogs = notFaked('engine.followLogs') as unknown as Engine['followLogs'];
  projectResources = notFaked('engine.projectResources') as unknown as Engine['projectResources'];
  removeProjectResources = notFaked('engine.removeProjectResources') as unknown as Engine['removeProjectResources'];
  events = notFaked('engine.events') as unknown as Engine['events'];
  /** External networks/volumes that exist, as "network:NAME" / "volume:NAME" → their labels. */
  externals = new Map<string, Record<string, string>>();
  networkExists = async (name: string): Promise<boolean> => this.externals.has(`network:${name}`);
  volumeExists = async (name: string): Promise<boolean> => this.externals.has(`volume:${name}`);
  createNetwork = async (name: string, labels: Record<string, string> = {}): Promise<void> =>
    void this.externals.set(`network:${name}`, labels);
  createVolume = async (name: string, labels: Record<string, string> = {}): Promise<void> =>
    void this.externals.set(`volume:${name}`, labels);
  /** Fails unless a test sets it (the gate then reads healthchecks from the compose model). */
  inspect: Engine['inspect'] = async () => {
    throw new Error('engine.inspect is not faked in this test');
  };
  /** No networks unless a test says otherwise: nothing shared, nothing to isolate or link. */
  networkPeers: Engine['networkPeers'] = async () => [];
  networkMembers: Engine['networkMembers'] = async () => null;
  connectNetwork = notFaked('engine.connectNetwork') as unknown as Engine['connectNetwork'];
  disconnectNetwork = notFaked('engine.disconnectNetwork') as unknown as Engine['disconnectNetwork'];

  async listContainers(opts?: { projects?: string[]; all?: boolean }): Promise<ContainerInfo[]> {
    this.listCalls++;
    const list = typeof this.containers === 'function' ? this.containers() : this.containers;
    return opts?.projects ? list.filter((c) => opts.projects!.includes(c.project)) : list;
  }

  async exec(containerId: string, cmd: string[], opts?: { timeoutMs?: number }): Promise<ExecResult> {
    this.execCalls.push({ containerId, cmd, timeoutMs: opts?.timeoutMs });
    return this.execHandler(containerId, cmd);
  }

  async logs(containerId: string, opts?: { tail?: number }): Promise<LogLine[]> {
    this.logCalls.push({ containerId, tail: opts?.tail });
    const lines = this.logLines[containerId] ?? [];
    const tail = opts?.tail ?? lines.length;
    return lines.slice(-tail).map((text) => ({ stream: 'stdout' as const, text }));
  }
}

export type HttpHandler = (url: string) => { status: number; body?: string } | Promise<{ status: number; body?: string }>;

export class FakeHttp implements Http {
  calls: { url: string; timeoutMs: number }[] = [];
  constructor(public handler: HttpHandler = () => ({ status: 200, body: '' })) {}
  async get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    this.calls.push({ url, timeoutMs });
    const r = await this.handler(url);
    return { status: r.status, body: r.body ?? '' };
  }
  callsTo(fragment: string): number {
    return this.calls.filter((c) => c.url.includes(fragment)).length;
  }
}

/** An error shaped like undici's fetch failure on a refused connection. */
export function connRefused(): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } });
}

/** Ports listed in `held` are bound; the value is the owner the OS reports (null: not visible). */
export class FakePortProbe implements PortProbe {
  freeCalls: number[] = [];
  constructor(
    public held: Map<number, PortOwner | null> = new Map(),
    public ownerFails = false,
  ) {}
  async isFree(port: number): Promise<boolean> {
    this.freeCalls.push(port);
    return !this.held.has(port);
  }
  async owner(port: number): Promise<PortOwner | null> {
    if (this.ownerFails) throw new Error('lsof not installed');
    return this.held.get(port) ?? null;
  }
}

/** Every instance on the base deps' engine (no docker context, no ssh): the remotes port of most tests. */
export function localRemotes(): RemotesPort {
  return { connect: () => Promise.resolve(LOCAL_ENGINE), sync: inertSync() };
}

/** A sync port with no watcher: none recorded, none started (for tests that are not about the source sync). */
export function inertSync(): SyncPort {
  return {
    watch: () => () => undefined,
    read: () => null,
    write: () => undefined,
    remove: () => undefined,
    start: async () => ({ pid: 0, started: false }),
    stop: async () => false,
  };
}

/** Deps with only what the slot logic touches; anything else throws. */
export function fakeDeps(over: Partial<Deps>): Deps {
  // composeModels is optional (no cache: every read parses the file): absent, not "not faked"
  // files and env: in memory (a test of a use-case that reads real directories passes the real files adapter)
  const base = {
    home: '/tmp/fake-home',
    sharedHome: '/tmp/fake-home/shared',
    composeModels: undefined,
    files: new MemoryFiles(),
    env: fakeEnv(),
    remotes: localRemotes(),
    overlay: { probe: () => Promise.resolve(null) }, // the engine can mount overlays (tests of a refusal pass their own)
  } as Partial<Deps>;
  return new Proxy({ ...base, ...over } as Deps, {
    get(target, prop, recv) {
      if (prop in target) return Reflect.get(target, prop, recv);
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      throw new Error(`deps.${prop} is not faked in this test`);
    },
  });
}

export function makeManifest(over: Partial<ManifestInput> = {}): Manifest {
  return manifestSchema().parse({
    version: 1,
    compose: { files: ['docker-compose.yml'] },
    ports: [{ name: 'api', env: 'API_PORT', slot0: 8000, base: 8000 }],
    ...over,
  });
}

export function record(id: string, slot: number, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id,
    path: `/work/${id}`,
    slot,
    kind: 'worktree',
    repo: '/work/repo',
    branch: id,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

export function registryWith(...recs: InstanceRecord[]): RegistryData {
  const reg = emptyRegistry();
  for (const r of recs) reg.instances[r.id] = r;
  return reg;
}

// ---- Startability Gate harness ----

export const GATE_VARS = { API_PORT: '8003', DB_PORT: '5435', GRAFANA_PORT: '3003' };
export const API = 'http://127.0.0.1:${API_PORT}';

export interface GateHarness {
  clock: FakeClock;
  engine: FakeEngine;
  http: FakeHttp;
  events: GateEvent[];
  run: () => Promise<GateReport>;
}

/** A gate over project "proj" with the given checks; services/publishing default to db + backend. */
export function gateHarness(opts: {
  checks?: NonNullable<ManifestInput['gate']>['checks'];
  containersCfg?: { gate?: string[]; ignore?: string[] };
  containers?: ContainerInfo[] | ((clock: FakeClock) => ContainerInfo[]);
  exec?: (containerId: string, cmd: string[], clock: FakeClock) => ExecResult | Promise<ExecResult>;
  http?: (url: string, clock: FakeClock) => { status: number; body?: string } | Promise<{ status: number; body?: string }>;
  logs?: Record<string, string[]>;
  services?: string[];
  publishing?: string[];
  timeoutMs?: number;
  timeout?: number;
  interval?: number;
  healthchecks?: Record<string, ComposeHealthcheck>;
  signal?: AbortSignal;
}): GateHarness {
  const clock = new FakeClock();
  const containers = opts.containers ?? [container('db', { health: 'healthy' }), container('backend', { health: 'healthy' })];
  const engine = new FakeEngine(
    typeof containers === 'function' ? () => containers(clock) : containers,
    (id, cmd) => (opts.exec ? opts.exec(id, cmd, clock) : { exitCode: 0, output: '' }),
    opts.logs ?? {},
  );
  const http = new FakeHttp((url) => (opts.http ? opts.http(url, clock) : { status: 200, body: '{}' }));
  const manifest = makeManifest({
    gate: {
      timeout: opts.timeout ?? 60,
      interval: opts.interval ?? 0.25,
      checks: opts.checks ?? [],
      containers: { ignore: [], ...opts.containersCfg },
    },
  });
  const events: GateEvent[] = [];
  const run = () =>
    runGate({
      instanceId: 'ktrdr--feat-x',
      project: 'proj',
      manifest,
      vars: GATE_VARS,
      services: opts.services ?? ['db', 'backend'],
      publishing: opts.publishing ?? ['db', 'backend'],
      timeoutMs: opts.timeoutMs,
      healthchecks: opts.healthchecks,
      ...(opts.signal ? { signal: opts.signal } : {}),
      deps: { engine, http, clock, tcp: { probe: notFaked('tcp.probe') as unknown as Tcp['probe'] } },
      onEvent: (e) => events.push(e),
    });
  return { clock, engine, http, events, run };
}

export function check(report: GateReport, name: string): CheckResult {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in ${report.checks.map((x) => x.name).join(', ')}`);
  return c;
}

/** The services of the KTRDR-shaped fixture stack (tests/fixtures/stack), in its compose file's order. */
export const FIXTURE_SERVICES = [
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
