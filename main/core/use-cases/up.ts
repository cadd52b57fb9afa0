// up: validate, port pre-check with ownership, compose up -d, then the Startability Gate. Idempotent.
import { mkdir } from 'node:fs/promises';
import type { Deps } from '../deps';
import { noEvents, step, type EventSink } from '../events';
import { blacklists, probeSlotPorts } from '../conflicts';
import { slotPorts } from '../ports';
import { composeModelOf, ensureEnvFile, secretTarget, loadInstance, requireDir, resolveInstance, type InstanceContext, type InstanceRef } from '../resolve';
import { blacklistFor, portConflictError } from '../slots';
import { describeInstance } from './describe';
import { gateFor } from './gate';
import { lintInstance } from './doctor';
import type { UpResult } from '../results';
import { sharedNetworks } from '../override/isolation';
import { isolationFor } from '../override/state';
import { linkSharedServices } from './isolation-links';
export type { UpResult } from '../results';

/** Bind-mount sources must exist, or Docker creates them root-owned (or refuses, on Docker Desktop). */
async function ensureSharedDirs(vars: Record<string, string>, manifest: InstanceContext['manifest']): Promise<void> {
  const dirs = [vars.KTRDR_SHARED_DIR, ...Object.values(manifest.shared.mounts).map((env) => vars[env])].filter((d): d is string => !!d);
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
}

export interface UpOptions {
  build?: boolean;
  wait?: boolean;
  timeoutMs?: number;
  /** false: `--no-isolate` (shared networks stay shared); remembered for the instance's later commands.
   *  Undefined: what the instance's last `up` decided (on at first). */
  isolate?: boolean;
}


// Independent work overlaps (parsing while the engine answers, the lint while ports are probed, the instance
// description while the gate waits); what is reported, and what is written when, stays in the order below.
export async function upInstance(deps: Deps, ref: InstanceRef, opts: UpOptions = {}, emit: EventSink = noEvents): Promise<UpResult> {
  const rec = await resolveInstance(deps, ref);
  requireDir(rec);
  const id = rec.id;
  const ctx = await loadInstance(deps, rec);
  const pinging = deps.engine.ping();
  pinging.catch(() => undefined); // awaited below, after the compose files (their error comes first)
  const model = await composeModelOf(ctx); // compose files exist and parse
  await step(emit, id, 'engine', 'Docker engine reachable', () => pinging);
  const healedEnvFile = await ensureEnvFile(ctx);
  if (healedEnvFile) emit({ type: 'step', instance: id, id: 'envfile', label: '.env.sandbox rewritten from the registry', state: 'info' });

  // doctor, briefly: the compose lint (no subprocess). Findings are shown, they do not block the start.
  const linting = lintInstance(deps, ctx).catch(() => []);
  await step(emit, id, 'ports', `Ports of slot ${rec.slot} available`, async () => {
    const [reg, running] = await Promise.all([deps.registry.read(), deps.engine.listContainers({ all: false })]);
    const conflicts = await probeSlotPorts({ ports: slotPorts(ctx.manifest, rec.slot), selfProject: id, running, registry: reg, probe: deps.ports });
    if (!conflicts.length) return;
    if (conflicts.some(blacklists)) {
      await deps.registry.update((r) => blacklistFor(r, rec.slot, conflicts, deps.clock.now()));
    }
    throw portConflictError(rec.slot, conflicts, reg);
  });

  for (const f of await linting) {
    if (f.level !== 'ok') emit({ type: 'step', instance: id, id: `doctor-${f.name}`, label: `doctor: ${f.message}${f.fix ? ` (fix: ${f.fix})` : ''}`, state: 'warning' });
  }
  await step(emit, id, 'shared', `Shared data folders ready (${deps.sharedHome})`, () => ensureSharedDirs(ctx.vars, ctx.manifest));
  const target = await step(emit, id, 'secrets', 'Instance secrets ready', () => secretTarget(deps, ctx, opts.isolate === undefined ? { model } : { model, isolate: opts.isolate }));
  await step(emit, id, 'compose-up', `compose up -d${opts.build ? ' --build' : ''} (project ${id})`, () =>
    deps.compose.up(target, {
      build: opts.build,
      onOutput: (line) => emit({ type: 'output', instance: id, source: 'compose', line }),
    }),
  );

  const shared = sharedNetworks(model);
  if (shared.length) {
    if (isolationFor(deps.home, id, ctx.manifest, opts.isolate)) {
      await step(emit, id, 'isolation', `Shared network(s) ${shared.map((n) => n.name).join(', ')} isolated for this instance`, async () => {
        await linkSharedServices(deps, id, model);
      });
    } else {
      emit({ type: 'step', instance: id, id: 'isolation', label: `Isolation off: ${shared.map((n) => n.name).join(', ')} shared with other stacks (the gate's isolation check still runs)`, state: 'warning' });
    }
  }

  const describing = describeInstance(deps, rec);
  describing.catch(() => undefined); // awaited after the gate, as before: the gate is never left running
  const gate = opts.wait === false ? null : await gateFor(deps, ctx, { timeoutMs: opts.timeoutMs, model }, emit);
  return { instance: await describing, gate, healedEnvFile };
}
