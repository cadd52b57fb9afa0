// What the dashboard knows of the engines its instances are recorded on (issue 13): whether each answers, the
// memory and CPU its running sandboxes use, and what each stopped one would need there against what is free (the
// fit, core/use-cases/engine-fit.ts). One probe per engine (core/engines.ts, ≤ 2 s each, all at once), in the
// background (a refresh never waits for it), kicked by a refresh: at once when the instances or engines to watch
// changed (one started, one recorded on a new engine), else at most every intervalMs. No timer of its own: an
// idle dashboard makes no engine request (scripts/bench/dashboard.mjs counts them). Measured memory is kept as the instance's
// last-seen figure (the stats store), which the view cache reads for the memory bar and `up` for its estimate.
import type { Deps } from '../core/deps';
import { engineNameOf, probeEngines } from '../core/engines';
import type { InstanceRecord } from '../shared/types';
import { addStoppedFits } from '../core/use-cases/engine-fit';
import type { FitMeter } from '../shared/views';

export const SAMPLE_INTERVAL_MS = 15_000;

export interface EngineState {
  reachable: boolean;
  error?: string;
}

export interface EngineSampler {
  /** The last probe's answer for an engine (undefined: not probed yet). */
  engine(name: string): EngineState | undefined;
  /** A stopped instance's fit on its engine at the last probe (undefined: not known). */
  fit(id: string): FitMeter | undefined;
  /**
   * Probe the engines of these instances (up: the ids running now), unless a probe runs, or ran less than
   * intervalMs ago for the same set.
   */
  kick(recs: InstanceRecord[], up?: ReadonlySet<string>): void;
  /** Resolves when the probe under way (if any) is done (tests). */
  idle(): Promise<void>;
  stop(): void;
}

export function createEngineSampler(deps: Deps, opts: { intervalMs?: number; onSample?: () => void } = {}): EngineSampler {
  const interval = opts.intervalMs ?? SAMPLE_INTERVAL_MS;
  const states = new Map<string, EngineState>();
  let fits = new Map<string, FitMeter>();
  let last = -Infinity;
  let lastKey = '';
  let running: Promise<void> | null = null;
  let stopped = false;

  async function sample(recs: InstanceRecord[]): Promise<void> {
    const port = deps.engines;
    const targets = port.targets();
    const names = new Set(recs.map((r) => engineNameOf(r, targets)));
    const ids = new Set(recs.map((r) => r.id));
    const report = await probeEngines(
      targets.filter((t) => names.has(t.name)),
      port.probe,
      deps.clock,
      ids,
      undefined,
      { cpu: true }, // a second stats round (~1 s, in the background): the card shows CPU beside memory
    );
    if (stopped) return;
    // stopped instances: what each would need against what is free on its engine (the card draws it)
    await addStoppedFits(deps, report, { instances: Object.fromEntries(recs.map((r) => [r.id, r])) }).catch(() => report);
    const nextFits = new Map<string, FitMeter>();
    for (const row of report.engines)
      for (const f of row.fit ?? [])
        nextFits.set(f.id, {
          engine: row.name,
          needBytes: f.needBytes,
          source: f.source,
          freeBytes: row.memory.free ?? row.memory.freeAtMost,
          fits: f.fits,
        });
    fits = nextFits;
    const at = new Date(deps.clock.now()).toISOString();
    for (const row of report.engines) {
      states.set(row.name, row.reachable ? { reachable: true } : { reachable: false, error: row.error ?? 'no answer' });
      for (const s of row.sandboxes)
        if (s.registered && s.memoryUsed !== null && s.memoryUsed > 0)
          port.remember(s.id, {
            at,
            engine: row.name,
            memoryBytes: s.memoryUsed,
            containers: s.containers,
            ...(s.cpuPercent !== null ? { cpuPercent: s.cpuPercent } : {}),
          });
    }
    opts.onSample?.();
  }

  return {
    engine: (name) => states.get(name),
    fit: (id) => fits.get(id),
    kick(recs, up = new Set()) {
      if (stopped || running || !recs.length) return;
      const key = recs
        .map((r) => `${r.id}@${r.engine?.context ?? ''}${up.has(r.id) ? '+' : ''}`)
        .sort()
        .join(',');
      if (key === lastKey && deps.clock.now() - last < interval) return;
      last = deps.clock.now();
      lastKey = key;
      running = sample(recs)
        .catch(() => undefined) // best effort: the next kick tries again
        .finally(() => {
          running = null;
        });
    },
    idle: () => running ?? Promise.resolve(),
    stop() {
      stopped = true;
    },
  };
}
