// The engines a user can place sandboxes on: the default engine and every docker context, each probed
// concurrently with its own deadline so an unreachable (or hung) engine is listed as such and never holds up
// the others. Pure: the probe (I/O) and the clock are injected.
import type { EstimateSource, LastSeenStats } from './capacity';
import type { Clock } from './world/host';
import type { ContainerInfo } from '../shared/types';
import { COMPOSE_PROJECT_LABEL, LABEL_INSTANCE } from './labels';

/** Per-engine budget of `engines` (the issue: every engine answers, or is marked unreachable, within 2 s). */
export const ENGINE_PROBE_TIMEOUT_MS = 2000;

export interface EngineTarget {
  /** 'default' (DOCKER_HOST, else the local socket) or a docker context name. */
  name: string;
  kind: 'default' | 'context';
  /** The engine URL: unix:///var/run/docker.sock, ssh://user@host:port, tcp://host:port. Empty when invalid. */
  endpoint: string;
  /** The engine this tool talks to right now (DOCKER_HOST, DOCKER_CONTEXT, or config.json currentContext). */
  current: boolean;
  description?: string;
  /** Set when the context cannot be used (unreadable meta.json, unsupported endpoint): never probed. */
  invalid?: string;
}

export interface RunningContainer {
  id: string;
  labels: Record<string, string>;
}

/** What one probe of one engine returns (adapters/engine-probe.ts). */
export interface EngineFacts {
  version: string;
  apiVersion?: string;
  os?: string;
  cpus: number;
  /** bytes, /info MemTotal */
  memTotal: number;
  /** running containers only */
  running: RunningContainer[];
  /** bytes in use per container id (one-shot stats, page cache excluded); absent = not measured in time */
  memUsage: Record<string, number>;
  /** CPU per container id over about a second, in % of one core (200 = two cores busy); absent = not measured in time */
  cpuUsage?: Record<string, number>;
}

/** A container's CPU counters at one reading (ns): its own usage and the host's, and the CPUs online. */
export interface CpuSample {
  total: number;
  system: number;
  cpus: number;
}

/** CPU use between two readings, in % of one core (as `docker stats` shows it); undefined when not comparable. */
export function cpuPercent(a: CpuSample, b: CpuSample): number | undefined {
  const dSystem = b.system - a.system;
  const dTotal = b.total - a.total;
  if (!(dSystem > 0) || dTotal < 0) return undefined;
  return Math.round((dTotal / dSystem) * b.cpus * 1000) / 10;
}

/** cpu: also read CPU (a second round of stats, ~1 s more, within the deadline): `engines` asks, the capacity check does not. */
export type EngineProbe = (target: EngineTarget, opts: { signal: AbortSignal; deadline: number; cpu?: boolean }) => Promise<EngineFacts>;

export interface SandboxOnEngine {
  id: string;
  /** In this tool's registry (else: a sandbox-labelled project of another registry / HOME). */
  registered: boolean;
  containers: number;
  /** bytes in use by its running containers; null when some were not measured in time */
  memoryUsed: number | null;
  /** CPU of its running containers over about a second, % of one core; null when some were not measured in time */
  cpuPercent: number | null;
}

export interface EngineMemory {
  total: number | null;
  /** Σ memory used by running containers (those measured) */
  used: number | null;
  /**
   * total − Σ used by ALL running containers; null unless every running container was measured in time.
   * Processes outside containers (the host's own, Docker Desktop's VM) are not counted: an upper bound.
   */
  free: number | null;
  /** total − Σ used by the containers measured: free can be no more than this (= free when all were measured) */
  freeAtMost: number | null;
  measured: number;
  running: number;
}

export interface EngineRow {
  name: string;
  kind: EngineTarget['kind'];
  endpoint: string;
  current: boolean;
  description?: string;
  reachable: boolean;
  /** why it is not reachable / not usable */
  error?: string;
  latencyMs: number;
  version: string | null;
  apiVersion: string | null;
  os: string | null;
  cpus: number | null;
  memory: EngineMemory;
  sandboxes: SandboxOnEngine[];
  /** `engines` only: would each registered instance recorded on this engine and not running there fit now? */
  fit?: StoppedFit[];
}

/** One stopped instance's capacity estimate against an engine's free memory (core/capacity.ts checkFit). */
export interface StoppedFit {
  id: string;
  /** bytes the estimate says it needs (the reserve not included) */
  needBytes: number;
  source: EstimateSource;
  /** true fits (with the reserve), false does not, null unknown (free memory not measured) */
  fits: boolean | null;
}

export interface EnginesReport {
  timeoutMs: number;
  engines: EngineRow[];
}

/** Group an engine's running containers into sandboxes: our instance label, or a compose project we registered. */
export function sandboxesOn(
  facts: Pick<EngineFacts, 'running' | 'memUsage' | 'cpuUsage'>,
  registeredIds: ReadonlySet<string>,
): SandboxOnEngine[] {
  const byId = new Map<string, SandboxOnEngine>();
  for (const c of facts.running) {
    const id =
      c.labels[LABEL_INSTANCE] || (registeredIds.has(c.labels[COMPOSE_PROJECT_LABEL] ?? '') ? c.labels[COMPOSE_PROJECT_LABEL]! : undefined);
    if (!id) continue;
    let s = byId.get(id);
    if (!s) byId.set(id, (s = { id, registered: registeredIds.has(id), containers: 0, memoryUsed: 0, cpuPercent: 0 }));
    s.containers++;
    const used = facts.memUsage[c.id];
    s.memoryUsed = used === undefined || s.memoryUsed === null ? null : s.memoryUsed + used;
    const cpu = facts.cpuUsage?.[c.id];
    s.cpuPercent = cpu === undefined || s.cpuPercent === null ? null : Math.round((s.cpuPercent + cpu) * 10) / 10;
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function memoryOf(facts: EngineFacts): EngineMemory {
  let used = 0;
  let measured = 0;
  for (const c of facts.running) {
    const u = facts.memUsage[c.id];
    if (u === undefined) continue;
    used += u;
    measured++;
  }
  const total = facts.memTotal > 0 ? facts.memTotal : null;
  const all = measured === facts.running.length;
  return {
    total,
    used: measured ? used : facts.running.length ? null : 0,
    free: total !== null && all ? Math.max(0, total - used) : null,
    freeAtMost: total !== null ? Math.max(0, total - used) : null,
    measured,
    running: facts.running.length,
  };
}

const NO_MEMORY: EngineMemory = { total: null, used: null, free: null, freeAtMost: null, measured: 0, running: 0 };

function baseRow(t: EngineTarget): Omit<EngineRow, 'reachable' | 'latencyMs'> {
  const row: Omit<EngineRow, 'reachable' | 'latencyMs'> = {
    name: t.name,
    kind: t.kind,
    endpoint: t.endpoint,
    current: t.current,
    version: null,
    apiVersion: null,
    os: null,
    cpus: null,
    memory: NO_MEMORY,
    sandboxes: [],
  };
  if (t.description) row.description = t.description;
  return row;
}

function message(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0] || 'unknown error';
}

/** Probe every target at once; each one is settled (answered, failed or timed out) within timeoutMs. */
export async function probeEngines(
  targets: EngineTarget[],
  probe: EngineProbe,
  clock: Clock,
  registeredIds: ReadonlySet<string>,
  timeoutMs = ENGINE_PROBE_TIMEOUT_MS,
  opts: { cpu?: boolean } = {},
): Promise<EnginesReport> {
  const engines = await Promise.all(
    targets.map(async (t): Promise<EngineRow> => {
      if (t.invalid) return { ...baseRow(t), reachable: false, error: t.invalid, latencyMs: 0 };
      const t0 = clock.now();
      const ac = new AbortController();
      const timer = new AbortController();
      const timeout = clock.sleep(timeoutMs, timer.signal).then(
        () => {
          throw new Error(`no answer within ${timeoutMs} ms`);
        },
        () => new Promise<never>(() => undefined), // cancelled: never settles, the probe won the race
      );
      const work = probe(t, { signal: ac.signal, deadline: t0 + timeoutMs, ...(opts.cpu ? { cpu: true } : {}) });
      work.catch(() => undefined);
      try {
        const facts = await Promise.race([work, timeout]);
        return {
          ...baseRow(t),
          reachable: true,
          latencyMs: clock.now() - t0,
          version: facts.version,
          apiVersion: facts.apiVersion ?? null,
          os: facts.os ?? null,
          cpus: facts.cpus,
          memory: memoryOf(facts),
          sandboxes: sandboxesOn(facts, registeredIds),
        };
      } catch (err) {
        return { ...baseRow(t), reachable: false, error: message(err), latencyMs: clock.now() - t0 };
      } finally {
        timer.abort();
        ac.abort();
      }
    }),
  );
  return { timeoutMs, engines };
}

/** Bytes as the CLI shows them: 1.5 GiB, 512 MiB. */
export function formatBytes(n: number | null): string {
  if (n === null) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/**
 * The engines a user has, as the core sees them (issue 13): the targets (default + docker contexts), a probe,
 * and what was last measured of an instance (the capacity estimate's first source). adapters/engines-port.ts.
 */
export interface EnginesPort {
  targets(): EngineTarget[];
  probe: EngineProbe;
  /** <home>/stats/<id>.json, or null */
  lastSeen(id: string): LastSeenStats | null;
  /** the compose-labelled containers of one engine, within the deadline (`list` across engines) */
  listContainers(target: EngineTarget, opts: { signal: AbortSignal; deadline: number }): Promise<ContainerInfo[]>;
  /** keep a measurement as the instance's last-seen figure (best effort) */
  remember(id: string, stats: LastSeenStats): void;
  /** the compose files parsed as YAML documents, in order (for their memory limits) */
  composeDocs(paths: string[]): Promise<unknown[]>;
}

/** The name `engines` lists for the engine an instance runs on: its context, else the current engine. */
export function engineNameOf(rec: { engine?: { context: string | null } }, targets: EngineTarget[]): string {
  return rec.engine?.context ?? targets.find((t) => t.current)?.name ?? 'default';
}
