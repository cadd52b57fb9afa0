// `list` across engines (issue 13): one container listing per engine that registered instances run on, all at
// once, each within ENGINE_PROBE_TIMEOUT_MS (2 s). An engine that does not answer marks its instances "engine
// unreachable" — never dropped from the registry (no pruning while one is unknown), never holding the others up.
import type { Deps, Engine } from '../deps';
import { engineNameOf, ENGINE_PROBE_TIMEOUT_MS, type EngineTarget } from '../engines';
import { listInstances, type ListResult } from './list';
import type { ContainerInfo } from '../types';
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
    const all = await Promise.race([deps.engines!.listContainers(t, { signal: ac.signal, deadline }), timeout]);
    // only what belongs to instances registered on that engine: the rest there is not ours to report
    return { name: t.name, reachable: true, containers: all.filter((c) => ids.has(c.project)) };
  } catch (err) {
    return { name: t.name, reachable: false, error: t.invalid ?? firstLine(err), containers: [] };
  } finally {
    clearTimeout(timer);
  }
}

export async function listAcrossEngines(
  deps: Deps,
  opts: { prune?: boolean; emit?: EventSink; timeoutMs?: number } = {},
): Promise<ListResult> {
  const port = 'engines' in deps ? deps.engines : undefined;
  if (!port) return listInstances(deps, opts);
  const reg = await deps.registry.read();
  const targets = port.targets();
  const current = targets.find((t) => t.current)?.name ?? 'default';
  const byEngine = new Map<string, Set<string>>();
  for (const rec of Object.values(reg.instances)) {
    const name = engineNameOf(rec, targets);
    if (name === current) continue;
    byEngine.set(name, (byEngine.get(name) ?? new Set()).add(rec.id));
  }
  if (!byEngine.size) return listInstances(deps, opts); // the common case: one engine, one listing, as before
  const timeoutMs = opts.timeoutMs ?? ENGINE_PROBE_TIMEOUT_MS;
  const others = Promise.all(
    [...byEngine].map(([name, ids]) => {
      const t = targets.find((x) => x.name === name);
      return t
        ? listOn(deps, t, ids, timeoutMs)
        : Promise.resolve<EngineAnswer>({ name, reachable: false, error: `docker context "${name}" does not exist`, containers: [] });
    }),
  );
  others.catch(() => undefined);
  // the current engine's one listing, started beside the others and joined with them
  const base = deps.engine;
  let first: Promise<ContainerInfo[]> | undefined = base.listContainers({ all: true });
  first.catch(() => undefined);
  const engine = new Proxy(base, {
    get(target, prop, recv) {
      if (prop !== 'listContainers') return Reflect.get(target, prop, recv);
      return async (o: Parameters<Engine['listContainers']>[0] = {}) => {
        const mine = first && o.all !== false && !o.projects ? first : base.listContainers(o);
        first = undefined; // a second listing (after a repair) is a fresh one
        const [here, there] = await Promise.all([mine, others]);
        return [...here, ...there.flatMap((a) => a.containers)];
      };
    },
  });
  const answers = await others;
  const down = answers.filter((a) => !a.reachable);
  const r = await listInstances({ ...deps, engine } as Deps, { ...opts, prune: down.length ? false : opts.prune });
  const status = new Map(answers.map((a) => [a.name, a]));
  for (const v of r.instances) {
    const rec = reg.instances[v.id];
    if (!rec?.engine?.context) continue;
    const a = status.get(engineNameOf(rec, targets));
    v.engineStatus = a
      ? { name: a.name, reachable: a.reachable, ...(a.error ? { error: a.error } : {}) }
      : { name: engineNameOf(rec, targets), reachable: true };
  }
  return r;
}
