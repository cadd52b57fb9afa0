// The fit column of `engines` (issue 13): for every registered instance recorded on a reachable engine but not
// running there, its capacity estimate (last seen, else the compose limits, else the default: core/capacity.ts)
// against that engine's free memory — the same verdict `up` would reach there, before anyone types `up`.
import { capacityBeforeUp } from '../capacity';
import { composeFilePaths } from '../compose-model';
import type { Deps } from '../deps';
import { engineNameOf, type EnginesReport, type StoppedFit } from '../engines';
import { loadInstance } from '../resolve';
import type { InstanceRecord, RegistryData } from '../../shared/types';

async function fitOne(deps: Deps, rec: InstanceRecord, row: EnginesReport['engines'][number]): Promise<StoppedFit | null> {
  const lastSeen = deps.engines.lastSeen(rec.id);
  let composeDocs: unknown[] = [];
  let vars: Record<string, string> = {};
  try {
    const ctx = await loadInstance(deps, rec);
    vars = ctx.vars;
    composeDocs = await deps.engines.composeDocs(composeFilePaths(rec.path, ctx.manifest.compose.files));
  } catch {
    if (!lastSeen) return null; // nothing to estimate from: no row rather than a made-up figure
  }
  const { verdict } = capacityBeforeUp({
    instanceId: rec.id,
    engine: row.name,
    lastSeen,
    composeDocs,
    env: { ...deps.env.all(), ...vars },
    engines: [row],
    now: deps.clock.now(),
    force: false,
  });
  return { id: rec.id, needBytes: verdict.needBytes, source: verdict.estimate.source, fits: verdict.fits };
}

/** Adds `fit` to each reachable engine of the report (in place) and returns the report. */
export async function addStoppedFits(deps: Deps, report: EnginesReport, reg: Pick<RegistryData, 'instances'>): Promise<EnginesReport> {
  await Promise.all(
    report.engines.map(async (row) => {
      if (!row.reachable) return;
      const running = new Set(row.sandboxes.map((s) => s.id));
      const recs = Object.values(reg.instances)
        .filter((rec) => engineNameOf(rec, report.engines) === row.name && !running.has(rec.id))
        .sort((a, b) => a.id.localeCompare(b.id));
      const fits = await Promise.all(recs.map((rec) => fitOne(deps, rec, row)));
      row.fit = fits.filter((f): f is StoppedFit => f !== null);
    }),
  );
  return report;
}
