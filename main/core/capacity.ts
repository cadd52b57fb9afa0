// Capacity: will one more stack fit on an engine? Estimate the stack's memory, in this order:
//   1. last seen: what its containers used the last time we measured them (<home>/stats/<id>.json,
//      written by `engines`, and meant to be written by `status`/`up` too: adapters/stats-store.ts);
//   2. the compose file's memory limits (deploy.resources.limits.memory, else mem_limit; × replicas),
//      with DEFAULT_SERVICE_MEMORY for each service that has none;
//   3. DEFAULT_SERVICE_MEMORY per service.
// then compare with the engine's free memory (core/engines.ts) keeping CAPACITY_RESERVE back. Pure.

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Per service without a limit or a measurement: between a small API (~150 MiB) and PostgreSQL under load. */
export const DEFAULT_SERVICE_MEMORY = 256 * MiB;
/** Kept free after the stack starts, for the engine itself, builds and page cache. */
export const CAPACITY_RESERVE = 512 * MiB;
/** A last-seen figure older than this is still used (better than a guess) but said to be old. */
export const STATS_STALE_MS = 7 * 24 * 3600_000;

/** What `<home>/stats/<id>.json` holds. */
export interface LastSeenStats {
  /** ISO time of the measurement */
  at: string;
  /** engine (context) name it ran on */
  engine: string;
  /** Σ memory in use by its running containers, page cache excluded */
  memoryBytes: number;
  containers: number;
  /** its CPU use over ~1 s when measured (% of one CPU; the dashboard's sampler reads it, `up` does not) */
  cpuPercent?: number;
}

export type EstimateSource = 'last-seen' | 'compose-limits' | 'default';

export interface MemoryEstimate {
  bytes: number;
  source: EstimateSource;
  /** compose-limits / default: per service, and whether its figure is a limit or the default */
  services?: Array<{ name: string; bytes: number; from: 'limit' | 'default' }>;
  /** last-seen: when */
  at?: string;
  stale?: boolean;
}

/**
 * Compose/docker byte values: 1024, "512m", "1.5g", "2gb", "300k", "1GiB" (b, k, m, g, t; an optional b or ib).
 * undefined for anything else (a variable left unresolved, garbage).
 */
export function parseMemory(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(v);
  if (!m) return undefined;
  const mult = { '': 1, b: 1, k: 1024, m: MiB, g: GiB, t: 1024 * GiB }[m[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}

/** ${VAR}, ${VAR:-default}, ${VAR-default} from env (compose's interpolation, enough for a size). */
function interpolate(v: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof v !== 'string') return v;
  return v.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (_, name: string, op: string | undefined, def: string | undefined) => {
      const val = env[name];
      if (op === ':-') return val ? val : (def ?? '');
      if (op === '-') return val !== undefined ? val : (def ?? '');
      return val ?? '';
    },
  );
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export interface ServiceMemory {
  name: string;
  /** bytes for all its replicas; undefined when the files set no limit */
  limit?: number;
  replicas: number;
  profiles: string[];
}

/**
 * Memory limits per service from the parsed compose documents (later files override earlier ones, as
 * compose merges them). deploy.resources.limits.memory wins over mem_limit (compose v2 applies both; v1
 * only mem_limit unless --compatibility: the stricter reading of the user's intent either way).
 */
export function composeMemoryLimits(docs: unknown[], env: Record<string, string | undefined> = {}): ServiceMemory[] {
  const acc = new Map<string, { deploy?: number; mem?: number; replicas: number; profiles: string[] }>();
  for (const doc of docs) {
    for (const [name, raw] of Object.entries(obj(obj(doc)?.services) ?? {})) {
      const svc = obj(raw);
      if (!svc) continue;
      const cur = acc.get(name) ?? { replicas: 1, profiles: [] };
      const deploy = obj(svc.deploy);
      const d = parseMemory(interpolate(obj(obj(deploy?.resources)?.limits)?.memory, env));
      if (d !== undefined) cur.deploy = d;
      const ml = parseMemory(interpolate(svc.mem_limit, env));
      if (ml !== undefined) cur.mem = ml;
      const rep = Number(interpolate(deploy?.replicas ?? svc.scale, env));
      if (Number.isInteger(rep) && rep >= 0 && (deploy?.replicas !== undefined || svc.scale !== undefined)) cur.replicas = rep;
      if (Array.isArray(svc.profiles)) cur.profiles = svc.profiles.map(String);
      acc.set(name, cur);
    }
  }
  return [...acc.entries()].map(([name, s]) => {
    const per = s.deploy ?? s.mem;
    const out: ServiceMemory = { name, replicas: s.replicas, profiles: s.profiles };
    if (per !== undefined) out.limit = per * s.replicas;
    return out;
  });
}

/** The stack's memory: last seen, else the compose limits (+ defaults), else defaults. Profiled services are not started by `up`. */
export function estimateStackMemory(input: {
  lastSeen?: LastSeenStats | null;
  services: ServiceMemory[];
  now: number;
  defaultPerService?: number;
}): MemoryEstimate {
  const def = input.defaultPerService ?? DEFAULT_SERVICE_MEMORY;
  const ls = input.lastSeen;
  if (ls && Number.isFinite(ls.memoryBytes) && ls.memoryBytes > 0) {
    const age = input.now - Date.parse(ls.at);
    return { bytes: ls.memoryBytes, source: 'last-seen', at: ls.at, stale: !(age <= STATS_STALE_MS) };
  }
  const started = input.services.filter((s) => s.profiles.length === 0 && s.replicas > 0);
  const services = started.map((s) =>
    s.limit !== undefined
      ? { name: s.name, bytes: s.limit, from: 'limit' as const }
      : { name: s.name, bytes: def * s.replicas, from: 'default' as const },
  );
  const bytes = services.reduce((n, s) => n + s.bytes, 0);
  return { bytes, source: services.some((s) => s.from === 'limit') ? 'compose-limits' : 'default', services };
}

/** What capacity needs to know of an engine (a subset of core/engines.ts EngineRow). */
export interface EngineCapacity {
  name: string;
  reachable: boolean;
  /** free: null when not every container was measured; freeAtMost: an upper bound even then (core/engines.ts) */
  memory: { total: number | null; free: number | null; freeAtMost?: number | null };
  /** memory already used by THIS instance's running containers there (an `up` of a running stack is a restart) */
  sandboxes?: Array<{ id: string; memoryUsed: number | null }>;
}

export interface FitVerdict {
  /** true fits, false does not, null unknown (free memory not known: never a refusal) */
  fits: boolean | null;
  engine: string;
  needBytes: number;
  freeBytes: number | null;
  estimate: MemoryEstimate;
  /** other reachable engines where it would fit, most free first */
  alternatives: string[];
  /** one line for the user (refusal message, warning, or the ✓ line) */
  message: string;
  hint?: string;
}

function need(estimate: MemoryEstimate, e: EngineCapacity, instanceId: string): number {
  const already = e.sandboxes?.find((s) => s.id === instanceId)?.memoryUsed ?? 0;
  return Math.max(0, estimate.bytes - already);
}

const fmt = (n: number): string => (n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${Math.round(n / MiB)} MiB`);

function describe(e: MemoryEstimate): string {
  if (e.source === 'last-seen') return `last seen using ${fmt(e.bytes)}${e.stale ? ` (measured ${e.at}, old)` : ''}`;
  if (e.source === 'compose-limits')
    return `${fmt(e.bytes)} by the compose file's memory limits (${fmt(DEFAULT_SERVICE_MEMORY)} for each service without one)`;
  return `${fmt(e.bytes)} estimated (${e.services?.length ?? 0} services × ${fmt(DEFAULT_SERVICE_MEMORY)}, no limits in the compose file)`;
}

/** Does the stack fit on `engine`, and where else would it? */
export function checkFit(
  instanceId: string,
  estimate: MemoryEstimate,
  engine: string,
  engines: EngineCapacity[],
  reserve = CAPACITY_RESERVE,
): FitVerdict {
  // free known: compare. Free unknown but even its upper bound too small: certainly does not fit. Else unknown.
  const fitsOn = (e: EngineCapacity): boolean | null => {
    if (!e.reachable) return null;
    const n = need(estimate, e, instanceId) + reserve;
    if (e.memory.free !== null) return n <= e.memory.free;
    if (e.memory.freeAtMost !== undefined && e.memory.freeAtMost !== null && n > e.memory.freeAtMost) return false;
    return null;
  };
  const target = engines.find((e) => e.name === engine);
  const alternatives = engines
    .filter((e) => e.name !== engine && fitsOn(e) === true)
    .sort((a, b) => (b.memory.free ?? 0) - (a.memory.free ?? 0))
    .map((e) => e.name);
  const needBytes = target ? need(estimate, target, instanceId) : estimate.bytes;
  const freeBytes = target?.memory.free ?? null;
  const atMost = freeBytes === null ? (target?.memory.freeAtMost ?? null) : null;
  const fits = target ? fitsOn(target) : null;
  const base = { engine, needBytes, freeBytes, estimate, alternatives };
  if (fits === null) {
    return {
      ...base,
      fits,
      message: `Capacity of engine "${engine}" unknown (free memory not measured): ${instanceId} needs ${describe(estimate)}; not checked.`,
    };
  }
  if (fits) {
    return { ...base, fits, message: `Fits on engine "${engine}": needs ${fmt(needBytes)} (${estimate.source}), ${fmt(freeBytes!)} free.` };
  }
  const where = alternatives.length ? `It would fit on: ${alternatives.join(', ')}.` : 'No other reachable engine has room for it either.';
  return {
    ...base,
    fits,
    message: `${instanceId} does not fit on engine "${engine}": it needs ${describe(estimate)} + ${fmt(reserve)} reserve, and ${atMost !== null ? `at most ${fmt(atMost)}` : fmt(freeBytes!)} is free. ${where}`,
    hint: 'Stop another instance (`ktrdr-sandbox down ID`), or start it anyway with --force.',
  };
}

/**
 * The check `up` is meant to run before compose (after the port pre-check): estimate, compare, and whether to
 * refuse (a refusal is overridden by --force). `engines` are core/engines.ts EngineRows (they fit EngineCapacity).
 */
export function capacityBeforeUp(input: {
  instanceId: string;
  /** the engine the instance runs on (today: the current one; later: its registry entry's engine) */
  engine: string;
  lastSeen: LastSeenStats | null;
  /** the parsed compose files, in order */
  composeDocs: unknown[];
  /** the instance environment (.env.sandbox + process env) for ${VAR} in limits */
  env: Record<string, string | undefined>;
  engines: EngineCapacity[];
  now: number;
  force: boolean;
}): { verdict: FitVerdict; refuse: boolean } {
  const estimate = estimateStackMemory({
    lastSeen: input.lastSeen,
    services: composeMemoryLimits(input.composeDocs, input.env),
    now: input.now,
  });
  const verdict = checkFit(input.instanceId, estimate, input.engine, input.engines);
  return { verdict, refuse: verdict.fits === false && !input.force };
}
