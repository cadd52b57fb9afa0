// Capacity before `up` (issue 13): the stack's memory (last seen for this instance, else the compose file's
// limits, else the documented default: core/capacity.ts) against the free memory of the engine it starts on.
// Refused with one line naming the engines where it would fit (exit 5, CAPACITY) unless --force. The probe
// (≤ 2 s, one-shot stats) starts at the beginning of `up` and is awaited just before compose, so it overlaps
// with the engine ping, the port pre-check and the lint. A stack already running whole is not measured again
// (an idempotent `up` stays fast); KTRDR_SANDBOX_CAPACITY=0 turns the check off.
import { composeFilePaths } from '../compose-model';
import { capacityBeforeUp, type FitVerdict } from '../capacity';
import type { Deps } from '../deps';
import { engineNameOf, probeEngines, type EngineRow } from '../engines';
import { SandboxError } from '../errors';
import type { EventSink } from '../events';
import type { LoadedInstance } from '../resolve';

/** KTRDR_SANDBOX_CAPACITY=0 turns the check off (an engine whose stats are slow to read, benchmarks). */
export const CAPACITY_ENV = 'KTRDR_SANDBOX_CAPACITY';

export interface CapacityCheck {
  /** Report the verdict; throws CAPACITY when the stack does not fit (and force is off). */
  finish(emit: EventSink): Promise<FitVerdict | null>;
}

const fmtMiB = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;

export function startCapacityCheck(deps: Deps, ctx: LoadedInstance, opts: { force?: boolean } = {}): CapacityCheck {
  if (deps.env.get(CAPACITY_ENV) === '0') return { finish: async () => null }; // turned off: not checked
  const port = deps.engines;
  const id = ctx.rec.id;
  const work = (async () => {
    // an up of a stack already running whole there needs nothing more: no stats (they take ~1 s to read)
    const mine = await deps.engine.listContainers({ projects: [id], all: true });
    const own = mine.filter((c) => !c.oneOff);
    if (own.length && own.every((c) => c.state === 'running')) return 'running' as const;
    const targets = port.targets();
    const name = engineNameOf(ctx.rec, targets);
    const target = targets.find((t) => t.name === name);
    const docs = port.composeDocs(composeFilePaths(ctx.rec.path, ctx.manifest.compose.files)).catch(() => [] as unknown[]);
    const rows: EngineRow[] = target ? (await probeEngines([target], port.probe, deps.clock, new Set([id]))).engines : [];
    // running already (a restart): what it uses now is the freshest figure, used and kept for the next estimate
    const seen = rows[0]?.sandboxes.find((s) => s.id === id && s.memoryUsed !== null && s.memoryUsed > 0);
    const fresh = seen
      ? { at: new Date(deps.clock.now()).toISOString(), engine: name, memoryBytes: seen.memoryUsed!, containers: seen.containers }
      : null;
    if (fresh) port.remember(id, fresh);
    const lastSeen = fresh ?? port.lastSeen(id);
    const input = {
      instanceId: id,
      engine: name,
      lastSeen,
      composeDocs: await docs,
      env: { ...deps.env.all(), ...ctx.vars },
      now: deps.clock.now(),
      force: opts.force === true,
    };
    let r = capacityBeforeUp({ ...input, engines: rows });
    if (r.refuse) {
      // name the engines where it would fit: only now are the others asked (each ≤ 2 s, all at once)
      const others = targets.filter((t) => t.name !== name);
      const more = others.length ? (await probeEngines(others, port.probe, deps.clock, new Set([id]))).engines : [];
      r = capacityBeforeUp({ ...input, engines: [...rows, ...more] });
    }
    return r;
  })();
  work.catch(() => undefined); // awaited in finish()
  return {
    async finish(emit) {
      let r: Awaited<typeof work>;
      try {
        r = await work;
      } catch (err) {
        emit({
          type: 'step',
          instance: id,
          id: 'capacity',
          label: `Capacity not checked: ${(err as Error).message.split('\n')[0]}`,
          state: 'warning',
        });
        return null;
      }
      if (r === 'running') {
        emit({ type: 'step', instance: id, id: 'capacity', label: 'Memory: already running, nothing more needed', state: 'info' });
        return null;
      }
      const v = r.verdict;
      if (r.refuse) {
        emit({
          type: 'step',
          instance: id,
          id: 'capacity',
          label: `Memory: does not fit on engine "${v.engine}"`,
          state: 'failed',
          message: v.message,
        });
        throw new SandboxError('CAPACITY', v.message, { hint: v.hint, details: v });
      }
      if (v.fits === false) {
        const free = v.freeBytes !== null ? `${fmtMiB(v.freeBytes)} free` : 'less free';
        emit({
          type: 'step',
          instance: id,
          id: 'capacity',
          label: `Memory: needs ${fmtMiB(v.needBytes)} (${v.estimate.source}) + reserve, ${free} on engine "${v.engine}" — started anyway (--force)`,
          state: 'warning',
        });
      } else {
        const label = v.fits
          ? `Memory: needs ${fmtMiB(v.needBytes)} (${v.estimate.source}), ${fmtMiB(v.freeBytes!)} free on engine "${v.engine}"`
          : v.message;
        emit({ type: 'step', instance: id, id: 'capacity', label, state: v.fits ? 'passed' : 'info' });
      }
      return v;
    },
  };
}
