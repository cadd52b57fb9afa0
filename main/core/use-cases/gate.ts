// gate: run the Startability Gate of an instance (after `up`, or on its own) and keep the report.
import type { Deps } from '../deps';
import { noEvents, type EventSink } from '../events';
import { runGate } from '../gate';
import { withSeedCheck } from '../seed';
import { requireDir, type InstanceRef } from '../resolve';
import { depsFor, resolveContext, type InstanceContext } from '../instance-context';
import { defaultServices, healthchecksOf, publishingServices } from '../compose-model';
import { activeProfiles, reconcileChecks, skippedResult, withSkipped } from '../reconcile';
import type { GateReport } from '../../shared/types';
import { projectNames } from './isolation-links';

/** The gate of a resolved instance: its compose model and engine come from the context. */
export async function gateFor(
  deps: Deps,
  ctx: InstanceContext,
  opts: { timeoutMs?: number; signal?: AbortSignal },
  emit: EventSink,
): Promise<GateReport> {
  const model = await ctx.model;
  // Checks of services the compose file does not start are not run: reported skipped, with the reason.
  const seeded = withSeedCheck(ctx.manifest); // gate.seed as one more check (main/core/seed.ts)
  const { run, skipped } = reconcileChecks(seeded.gate.checks, model, activeProfiles(deps.env.all()));
  const skippedResults = skipped.map(skippedResult);
  const order = seeded.gate.checks.map((c) => c.name);
  const manifest = skipped.length ? { ...seeded, gate: { ...seeded.gate, checks: run } } : seeded;
  const report = await runGate({
    instanceId: ctx.rec.id,
    project: ctx.rec.id,
    manifest,
    vars: ctx.vars,
    services: defaultServices(model).map((s) => s.name),
    publishing: publishingServices(model),
    names: [...projectNames(model)],
    healthchecks: healthchecksOf(model),
    timeoutMs: opts.timeoutMs,
    deps: depsFor(deps, ctx),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onEvent: (e) => {
      if (e.type === 'gate-start' && skipped.length) {
        emit({ ...e, checks: withSkipped(e.checks, skippedResults, order), instance: ctx.rec.id });
        for (const check of skippedResults) emit({ type: 'gate-check', check, instance: ctx.rec.id });
      } else emit({ ...e, instance: ctx.rec.id });
    },
  });
  if (skipped.length) report.checks = withSkipped(report.checks, skippedResults, order);
  if (opts.signal?.aborted) return report; // cancelled: not a verdict on the instance, so not its last gate
  await deps.gates.write(report);
  return report;
}

export async function gateInstance(
  deps: Deps,
  ref: InstanceRef,
  opts: { timeoutMs?: number },
  emit: EventSink = noEvents,
): Promise<GateReport> {
  const ctx = await resolveContext(deps, ref);
  requireDir(ctx.rec, deps.files);
  await ctx.engine.ping();
  return gateFor(deps, ctx, opts, emit);
}
