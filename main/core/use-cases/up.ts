// up: validate, port pre-check with ownership, compose up -d, then the Startability Gate. Idempotent.
import type { Deps, Files } from '../deps';
import { noEvents, step, type EventSink } from '../events';
import { blacklists, probeSlotPorts, type PortConflict } from '../conflicts';
import { slotPorts } from '../ports';
import { ensureEnvFile, secretTarget, requireDir, type InstanceRef } from '../resolve';
import { composeTexts, depsFor, resolveContext, type InstanceContext } from '../instance-context';
import { lintInstanceCompose } from '../instance-lint';
import { blacklistFor, portConflictError } from '../slots';
import { describeLoaded } from './describe';
import { gateFor } from './gate';
import { composeUpStaged, STAGED_UP_ENV, startStages } from './staged-up';
import { apiAtLeast, composeTakesStartInterval, START_INTERVAL_MIN_API } from '../override/health';
import { defaultServices } from '../compose-model';
import type { DoctorCheck } from '../compose-lint';
import { createExternals, describeExternals, externalsOf, missingExternals, missingExternalsError } from '../externals';
import type { UpResult } from '../../shared/results';
import { sharedNetworks } from '../override/isolation';
import { isolationFor } from '../override/state';
import { linkSharedServices } from './isolation-links';
import { SandboxError } from '../errors';
import { composeProgress } from '../compose-progress';
import { startCapacityCheck } from './capacity-check';
import { prepareRemoteUp, watchRemoteSource } from './remote-prepare';
import { probeOverlay, refuseRemoteOverlay } from './shared-overlay';
export type { UpResult } from '../../shared/results';

/** Bind-mount sources must exist, or Docker creates them root-owned (or refuses, on Docker Desktop). */
async function ensureSharedDirs(files: Files, vars: Record<string, string>, manifest: InstanceContext['manifest']): Promise<void> {
  const dirs = [vars.KTRDR_SHARED_DIR, ...Object.values(manifest.shared.mounts).map((env) => vars[env])].filter((d): d is string => !!d);
  for (const d of dirs) files.mkdir(d);
}

export interface UpOptions {
  build?: boolean;
  wait?: boolean;
  timeoutMs?: number;
  /** false: `--no-isolate` (shared networks stay shared); remembered for the instance's later commands.
   *  Undefined: what the instance's last `up` decided (on at first). */
  isolate?: boolean;
  /** Create missing external networks/volumes (labelled, never removed by us) instead of stopping. */
  createExternals?: boolean;
  /** Start even when the capacity check says the stack does not fit the engine's free memory. */
  force?: boolean;
  /** Aborts the start: compose is stopped where it is, the gate no longer awaited (`cancel` in the dashboard). */
  signal?: AbortSignal;
}

function cancelled(id: string): SandboxError {
  return new SandboxError('STATE', `Start of "${id}" cancelled`, {
    hint: 'Containers already started keep running: `ktrdr-sandbox down` stops them.',
  });
}

/** Resolve with p, or reject as soon as `signal` aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, id: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(cancelled(id));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled(id));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function upInstance(deps: Deps, ref: InstanceRef, opts: UpOptions = {}, emit: EventSink = noEvents): Promise<UpResult> {
  return upContext(deps, await resolveContext(deps, ref), opts, emit);
}

// Every step takes the one context (registry, manifest, variables, compose model, engine: read once).
// Independent work overlaps (parsing while the engine answers, the lint while ports are probed); what is
// reported, and what is written when, stays in the order below.
export async function upContext(baseDeps: Deps, ctx: InstanceContext, opts: UpOptions = {}, emit: EventSink = noEvents): Promise<UpResult> {
  const { rec } = ctx;
  requireDir(rec, baseDeps.files);
  const id = rec.id;
  const deps = depsFor(baseDeps, ctx);
  const capacity = startCapacityCheck(deps, ctx, { force: opts.force }); // engine's free memory, probed beside the steps below
  refuseRemoteOverlay(deps, ctx); // manifest shared.overlay: the local engine only
  if (ctx.on.remote) {
    // on a remote engine the cheap check comes first: a stack that does not fit is refused before the sync and
    // the image copy; then this machine's ports forwarded, the source synced, missing images copied
    await capacity.finish(emit);
    await prepareRemoteUp(baseDeps, ctx, ctx.on.remote, emit);
  }
  const pinging = ctx.engine.ping();
  pinging.catch(() => undefined); // awaited below, after the compose files (their error comes first)
  const model = await ctx.model; // compose files exist and parse
  await step(emit, id, 'engine', 'Docker engine reachable', () => pinging);
  const healedEnvFile = await ensureEnvFile(deps.files, ctx, emit);
  if (healedEnvFile) emit({ type: 'step', instance: id, id: 'envfile', label: '.env.sandbox rewritten from the registry', state: 'info' });

  // doctor, briefly: the compose lint (no subprocess). Findings do not block the start: one line says how many
  // (`doctor` lists them, --json carries them in full). External networks/volumes are checked below, and do block.
  // (the isolation decision, as the instance's last `up` left it, is read only when there is a shared network)
  const shared = sharedNetworks(model);
  const isolation = shared.length ? isolationFor(deps.home, id, ctx.manifest, undefined, deps.files) : false;
  const linting = composeTexts(ctx.compose.files, deps.files)
    .then((texts) => lintInstanceCompose(ctx, { model, texts, env: deps.env.all(), isolation }))
    .catch(() => [] as DoctorCheck[]);
  await step(emit, id, 'ports', `Ports of slot ${rec.slot} available`, async () => {
    const probe = async (): Promise<{ conflicts: PortConflict[]; starting: string[] }> => {
      const listed = await ctx.engine.listContainers({ all: true });
      const conflicts = await probeSlotPorts({
        ports: slotPorts(ctx.manifest, rec.slot),
        selfProject: id,
        running: listed,
        registry: ctx.registry,
        probe: deps.ports,
      });
      return { conflicts, starting: listed.filter((c) => c.project === id && c.state === 'created').map((c) => c.id) };
    };
    let found = await probe();
    if (found.conflicts.length && found.starting.length) {
      // A container of this instance being started — a start a killed `up`'s compose sent before it was stopped
      // (exclusive() ends such a compose; the engine finishes what it was asked): the engine's proxy holds its
      // ports ~0.3 s before the listing says it runs or shows them. Inspecting it waits for that start to end
      // (the engine holds the container while it starts); then the listing tells whose the ports are.
      await Promise.all(found.starting.map((c) => ctx.engine.inspect(c).catch(() => undefined)));
      found = await probe();
    }
    const { conflicts } = found;
    if (!conflicts.length) return;
    if (conflicts.some(blacklists)) {
      await deps.registry.update((r) => blacklistFor(r, rec.slot, conflicts, deps.clock.now()));
    }
    throw portConflictError(rec.slot, conflicts, ctx.registry);
  });

  const lint = (await linting).filter((f) => f.level !== 'ok');
  if (lint.length) emit({ type: 'step', instance: id, id: 'doctor', label: lintSummary(lint), state: 'warning' });
  // External networks/volumes: compose fails on a missing one after creating the project network, so stop first.
  const externals = externalsOf(model);
  if (externals.length) {
    await step(emit, id, 'externals', `External ${describeExternals(externals)} present`, async () => {
      const missing = await missingExternals(ctx.engine, model);
      if (!missing.length) return;
      if (!opts.createExternals) throw missingExternalsError(missing);
      await createExternals(ctx.engine, missing);
      emit({
        type: 'step',
        instance: id,
        id: 'externals-created',
        label: `Created external ${describeExternals(missing)} (yours to keep: destroy never removes it)`,
        state: 'info',
      });
    });
  }
  await step(emit, id, 'shared', `Shared data folders ready (${deps.sharedHome})`, () =>
    ensureSharedDirs(deps.files, ctx.vars, ctx.manifest),
  );
  await probeOverlay(deps, ctx, emit); // shared.overlay: the engine mounts an overlay of our folders, or nothing starts
  // Docker itself re-checks health every second during start-up where engine and compose take `start_interval`
  // (API ≥ 1.44, compose v2 ≥ 2.20.2; override/health.ts). Older engines: the gate's own probes decide readiness.
  if (!ctx.on.remote) await capacity.finish(emit); // exit 5 (CAPACITY) when it does not fit, unless --force
  const engineInfo = await pinging;
  const startInterval = apiAtLeast(engineInfo?.apiVersion ?? '0', START_INTERVAL_MIN_API)
    ? await deps.compose.info().then(
        (c) => composeTakesStartInterval(c.variant, c.version),
        () => false,
      )
    : false;
  const targetOpts = { model, startInterval, ...(opts.isolate === undefined ? {} : { isolate: opts.isolate }) };
  const target = await step(emit, id, 'secrets', 'Instance secrets ready', () => secretTarget(deps, ctx, targetOpts));
  if (opts.signal?.aborted) throw cancelled(id);
  // compose's own progress (build steps, containers created / started, waits on healthchecks) as sub-steps
  const progress = composeProgress(id, 'compose-up', emit, () => deps.clock.now());
  const onOutput = (line: string) => {
    emit({ type: 'output', instance: id, source: 'compose', line });
    progress.line(line);
  };
  // Dependency levels (service_healthy) are started one `up -d --no-deps` each, readiness decided by the
  // services' own healthchecks (staged-up.ts); one level, --no-wait or KTRDR_SANDBOX_STAGED_UP=0: one plain `up -d`.
  const services = defaultServices(model).map((s) => s.name);
  const staged = opts.wait !== false && deps.env.get(STAGED_UP_ENV) !== '0' && startStages(model, services).length > 1;
  const budgetMs = opts.timeoutMs ?? ctx.manifest.gate.timeout * 1000;
  const stagedAt = deps.clock.now();
  let gateTimeoutMs = opts.timeoutMs;
  const signal = opts.signal ? { signal: opts.signal } : {};
  await step(
    emit,
    id,
    'compose-up',
    `compose up -d${opts.build ? ' --build' : ''} (project ${id}${staged ? ', by dependency level' : ''})`,
    () =>
      unlessAborted(
        (async () => {
          if (!staged) return deps.compose.up(target, { build: opts.build, onOutput, ...signal });
          const r = await composeUpStaged(
            deps,
            target,
            model,
            { services, build: opts.build, timeoutMs: budgetMs, vars: ctx.vars, onOutput },
            emit,
            id,
          );
          // a dependency that never got ready used the budget already: the gate only says why, it does not wait it out again
          if (!r.complete) gateTimeoutMs = Math.max(5_000, budgetMs - (deps.clock.now() - stagedAt));
        })(),
        opts.signal,
        id,
      ).then(
        () => progress.end(true),
        (err: unknown) => {
          progress.end(false);
          throw err;
        },
      ),
  );

  if (ctx.on.remote) await watchRemoteSource(baseDeps, ctx, emit); // the source kept current while it runs (hot reload)
  if (shared.length) {
    if (isolationFor(deps.home, id, ctx.manifest, opts.isolate, deps.files)) {
      await step(
        emit,
        id,
        'isolation',
        `Shared network(s) ${shared.map((n) => n.name).join(', ')} isolated for this instance`,
        async () => {
          await linkSharedServices(deps, id, model);
        },
      );
    } else {
      emit({
        type: 'step',
        instance: id,
        id: 'isolation',
        label: `Isolation off: ${shared.map((n) => n.name).join(', ')} shared with other stacks (the gate's isolation check still runs)`,
        state: 'warning',
      });
    }
  }

  const gate =
    opts.wait === false ? null : await unlessAborted(gateFor(deps, ctx, { timeoutMs: gateTimeoutMs, ...signal }, emit), opts.signal, id);
  return { instance: describeLoaded(ctx, model), gate, healedEnvFile, lint };
}

/** "compose lint: 3 warnings — `ktrdr-sandbox doctor` for details" (errors counted first). */
export function lintSummary(findings: Pick<DoctorCheck, 'level'>[]): string {
  const n = (level: string) => findings.filter((f) => f.level === level).length;
  const part = (k: number, word: string) => (k ? [`${k} ${word}${k === 1 ? '' : 's'}`] : []);
  const counts = [...part(n('error'), 'error'), ...part(n('warning'), 'warning')].join(', ');
  return `compose lint: ${counts} — \`ktrdr-sandbox doctor\` for details`;
}
