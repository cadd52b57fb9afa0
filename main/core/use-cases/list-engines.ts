// `list` across engines (issue 13): one container listing per engine that registered instances run on, all at
// once, each within ENGINE_PROBE_TIMEOUT_MS (2 s). An engine that does not answer marks its instances "engine
// unreachable" — never dropped from the registry (no pruning while one is unknown), never holding the others up.
import type { Deps } from '../deps';
import { engineNameOf, ENGINE_PROBE_TIMEOUT_MS, type EngineTarget } from '../engines';
import { listInstances, startList, type ListResult } from './list';
import type { ContainerInfo, RegistryData } from '../../shared/types';
import type { InstanceView } from '../views';

type EngineStatus = NonNullable<InstanceView['engineStatus']>;
import type { EventSink } from '../events';

interface EngineAnswer {
  name: string;
  reachable: boolean;
  error?: string;
  containers: ContainerInfo[];
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0] || 'no answer';
}

async function listOn(deps: Deps, t: EngineTarget, ids: ReadonlySet<string>, timeoutMs: number): Promise<EngineAnswer> {
  const ac = new AbortController();
  const deadline = deps.clock.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const all = await Promise.race([deps.engines.listContainers(t, { signal: ac.signal, deadline }), timeout]);
    // only what belongs to instances registered on that engine: the rest there is not ours to report
    return { name: t.name, reachable: true, containers: all.filter((c) => ids.has(c.project)) };
  } catch (err) {
    return { name: t.name, reachable: false, error: t.invalid ?? firstLine(err), containers: [] };
  } finally {
    clearTimeout(timer);
  }
}

/** What the engines other than the current one say about the instances registered on them. */
export interface RemoteListing {
  /** Their instances' containers (only the engines that answered). */
  containers: ContainerInfo[];
  /** Per instance on another engine: that engine's name, whether it answered, and why not. */
  status: Map<string, EngineStatus>;
  /** Whether every one of them answered (nothing is pruned while one is unknown). */
  allReachable: boolean;
}

/**
 * One container listing per engine (other than the current one) that registered instances run on, all at once,
 * each within timeoutMs (2 s). Null when every instance runs on the current engine (the common case).
 */
export function listOtherEngines(deps: Deps, reg: RegistryData, timeoutMs = ENGINE_PROBE_TIMEOUT_MS): Promise<RemoteListing> | null {
  const port = deps.engines;
  const recs = Object.values(reg.instances).filter((r) => r.engine?.context);
  if (!recs.length) return null; // no docker context is even read
  const targets = port.targets();
  const current = targets.find((t) => t.current)?.name ?? 'default';
  const byEngine = new Map<string, Set<string>>();
  for (const rec of recs) {
    const name = engineNameOf(rec, targets);
    if (name === current) continue;
    byEngine.set(name, (byEngine.get(name) ?? new Set()).add(rec.id));
  }
  if (!byEngine.size) return null;
  return Promise.all(
    [...byEngine].map(([name, ids]) => {
      const t = targets.find((x) => x.name === name);
      return t
        ? listOn(deps, t, ids, timeoutMs)
        : Promise.resolve<EngineAnswer>({ name, reachable: false, error: `docker context "${name}" does not exist`, containers: [] });
    }),
  ).then((answers) => {
    const byName = new Map(answers.map((a) => [a.name, a]));
    const status = new Map<string, EngineStatus>();
    for (const [name, ids] of byEngine) {
      const a = byName.get(name);
      for (const id of ids)
        status.set(id, a ? { name, reachable: a.reachable, ...(a.error ? { error: a.error } : {}) } : { name, reachable: true });
    }
    return { containers: answers.flatMap((a) => a.containers), status, allReachable: answers.every((a) => a.reachable) };
  });
}

export async function listAcrossEngines(
  deps: Deps,
  opts: { prune?: boolean; emit?: EventSink; timeoutMs?: number } = {},
): Promise<ListResult> {
  // one registry read, the current engine's listing on its way meanwhile
  const start = await startList(deps);
  const others = listOtherEngines(deps, start.reg, opts.timeoutMs);
  if (!others) return listInstances(deps, { ...opts, start }); // the common case: one engine, one listing
  const there = await others;
  const r = await listInstances(deps, {
    ...opts,
    start,
    elsewhere: there.containers,
    prune: there.allReachable ? opts.prune : false, // nothing is pruned while an engine is unknown
  });
  for (const v of r.instances) {
    const st = there.status.get(v.id);
    if (st) v.engineStatus = st;
  }
  return r;
}
