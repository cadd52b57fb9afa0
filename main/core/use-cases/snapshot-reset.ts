// Instances from snapshots: create NAME --snapshot S (or the repository's default), up --snapshot S on an
// instance whose volumes do not exist yet, and reset: stop the services using the volumes, replace their
// content, start them again and run the gate.
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { canonical, loadInstance, requireDir, resolveInstance, secretTarget, type InstanceRef } from '../resolve';
import { depsFor, resolveContext } from '../instance-context';
import { validateSnapshotName } from '../snapshot-plan';
import type { ResetResult, RestoreSummary } from '../../shared/snapshot-types';
import { createInstance, type CreateOptions } from './create';
import { describeInstance, type InstanceDetails } from './describe';
import { destroyInstance } from './destroy';
import { gateFor } from './gate';
import { STOP_TIMEOUT_S, chooseSnapshot, requireSnapshot, snapshotPorts } from './snapshot-common';
import { applyRestore, planRestore, restoreIntoNewVolumes } from './snapshot-restore';
import { prepareRemoteUp } from './remote-prepare';
import { upContext, type UpOptions, type UpResult } from './up';

export interface CreateFromSnapshotOptions extends CreateOptions {
  /** A snapshot name; undefined: the repository's default (if any); null: none (--no-snapshot). */
  snapshot?: string | null;
  force?: boolean;
}

/** The repository create would branch from, or null when dir is not in one (create then says so). */
async function repoOf(deps: Deps, dir: string): Promise<string | null> {
  const top = await deps.git.topLevel(canonical(dir, deps.files)).catch(() => null);
  return top ? deps.git.mainRepo(top) : null;
}

export async function createFromSnapshot(
  deps: Deps,
  opts: CreateFromSnapshotOptions,
  emit: EventSink = noEvents,
): Promise<{ instance: InstanceDetails; restore: RestoreSummary | null }> {
  let name: string | null = null;
  let implicit = false;
  const store = deps.snapshots;
  if (typeof opts.snapshot === 'string') {
    name = validateSnapshotName(opts.snapshot);
    await requireSnapshot(snapshotPorts(deps).store, name); // before anything is created
  } else if (opts.snapshot === undefined) {
    const repo = await repoOf(deps, opts.from ?? opts.cwd);
    const def = repo ? (await store.defaults())[repo] : undefined;
    if (def && (await store.get(def))) {
      name = def;
      implicit = true;
    }
  }
  const instance = await createInstance(deps, opts, emit);
  if (!name) return { instance, restore: null };
  try {
    // the new instance's engine (create --engine: a remote one, where its volumes are made and filled; its
    // ports are forwarded by its first `up`, not now)
    const rec = await resolveInstance(deps, { id: instance.id });
    const on = await deps.remotes.connect(rec);
    const there = depsFor(deps, { on });
    const ctx = await loadInstance(there, rec);
    try {
      const restore = await restoreIntoNewVolumes(there, ctx, name, { force: opts.force }, emit, { remote: on.remote });
      return { instance, restore };
    } catch (err) {
      // The repository's default no longer fits (its compose files changed): start empty rather than fail.
      if (!implicit || (err as SandboxError).code !== 'STATE' || !(err as SandboxError).message.includes('does not match')) throw err;
      emit({
        type: 'step',
        instance: instance.id,
        id: 'snapshot',
        label: `default snapshot "${name}" skipped: ${(err as Error).message.split('\n')[1]?.trim() ?? 'does not match'}`,
        state: 'warning',
      });
      return { instance, restore: null };
    }
  } catch (err) {
    await destroyInstance(deps, { id: instance.id }, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** up --snapshot S: fill the volumes (which must not exist yet), then the usual up. */
export async function upFromSnapshot(
  deps: Deps,
  ref: InstanceRef,
  snapshot: string,
  opts: UpOptions & { force?: boolean },
  emit: EventSink = noEvents,
): Promise<UpResult & { restore: RestoreSummary }> {
  const ctx = await resolveContext(deps, ref);
  const { rec } = ctx;
  requireDir(rec, deps.files);
  const there = depsFor(deps, ctx); // the volumes are made and filled on the instance's engine
  await step(emit, rec.id, 'engine', 'Docker engine reachable', () => there.engine.ping());
  const restore = await restoreIntoNewVolumes(there, ctx, validateSnapshotName(snapshot), { force: opts.force }, emit, {
    remote: ctx.on.remote,
  });
  return { ...(await upContext(deps, ctx, opts, emit)), restore };
}

export interface ResetOptions {
  snapshot?: string;
  force?: boolean;
  timeoutMs?: number;
}

export async function resetInstance(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: ResetOptions = {},
  emit: EventSink = noEvents,
): Promise<ResetResult> {
  const ctx = await resolveContext(baseDeps, ref);
  const deps = depsFor(baseDeps, ctx); // everything below acts on the instance's engine (its volumes are there)
  const { store, io } = snapshotPorts(deps);
  const { rec } = ctx;
  requireDir(rec, deps.files);
  const id = rec.id;
  const name = await chooseSnapshot(store, rec.repo, opts.snapshot);
  await step(emit, id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  const containers = (await deps.engine.listContainers({ projects: [id], all: true })).filter((c) => !c.oneOff);
  const plan = await planRestore(deps, ctx, name, { force: opts.force, containers }, emit);

  const services = [...new Set(plan.plans.flatMap((p) => p.services))];
  const running = containers.filter((c) => services.includes(c.service) && c.state === 'running');
  if (running.length) {
    await step(emit, id, 'stop', `Stopped ${running.map((c) => c.service).join(', ')}`, () =>
      io.stop(
        running.map((c) => c.id),
        STOP_TIMEOUT_S,
      ),
    );
  }
  let restored: Awaited<ReturnType<typeof applyRestore>>;
  try {
    restored = await applyRestore(deps, ctx, plan, containers, emit, { remote: ctx.on.remote });
  } catch (err) {
    // Never leave the stack half stopped: start what we stopped (its data may be partly replaced: say so).
    await io.start(running.map((c) => c.id)).catch(() => undefined);
    throw new SandboxError('STATE', `Reset of "${id}" from "${name}" failed: ${(err as Error).message}`, {
      hint: 'The volume may be partly restored: run the reset again, or `ktrdr-sandbox down -v` and `up` to start empty.',
      cause: err,
    });
  }
  // Everything that was running before is started again. When the secrets changed (a snapshot of another
  // instance), compose recreates the containers that use them; otherwise starting the stopped ones is enough.
  const stackRunning = containers.some((c) => c.state === 'running');
  if (restored.secretsChanged || !stackRunning) {
    // on a remote engine compose needs what `up` puts there first: forwards, the synced source, images
    if (ctx.on.remote) await prepareRemoteUp(baseDeps, ctx, ctx.on.remote, emit);
    const target = await secretTarget(deps, ctx);
    await step(emit, id, 'compose-up', `compose up -d (project ${id})`, () =>
      deps.compose.up(target, { onOutput: (line) => emit({ type: 'output', instance: id, source: 'compose', line }) }),
    );
  } else if (running.length) {
    await step(emit, id, 'start', `Started ${running.map((c) => c.service).join(', ')} again`, () => io.start(running.map((c) => c.id)));
  }
  const gate = await gateFor(deps, ctx, { timeoutMs: opts.timeoutMs }, emit);
  return { instance: await describeInstance(deps, rec), restore: restored.summary, gate };
}
