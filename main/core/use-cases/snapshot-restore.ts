// Filling an instance's volumes from a snapshot: into volumes that do not exist yet (create --snapshot,
// up --snapshot), or replacing their content (reset). The snapshot must match the instance's compose files
// (and migration head, when both are known) unless forced; the instance takes the snapshot's generated
// secrets, because a database volume keeps the password it was initialised with.
import type { Deps } from '../deps';
import { ownerId } from '../owner';
import { SandboxError } from '../errors';
import { step, type EventSink } from '../events';
import type { RemoteLink } from '../remotes';
import type { LoadedInstance } from '../resolve';
import { incompatibilities, incompatibleError, planVolumes, type VolumePlan } from '../snapshot-plan';
import type { RestoreSummary, SnapshotMeta } from '../../shared/snapshot-types';
import type { ContainerInfo } from '../../shared/types';
import {
  helperImage,
  helperLabels,
  instanceCompose,
  migrationHeadOf,
  progressLines,
  requireSnapshot,
  snapshotPorts,
  volumeLabels,
} from './snapshot-common';

export interface RestorePlan {
  meta: SnapshotMeta;
  plans: VolumePlan[];
  forced: string[];
  /** Which of the instance's volumes already exist. */
  existing: Set<string>;
}

/** Check the snapshot against the instance; nothing is touched. */
export async function planRestore(
  deps: Deps,
  ctx: LoadedInstance,
  name: string,
  opts: { force?: boolean; containers: ContainerInfo[] },
  emit: EventSink,
): Promise<RestorePlan> {
  const { store, io } = snapshotPorts(deps);
  const meta = await requireSnapshot(store, name);
  const compose = instanceCompose(deps.files, ctx);
  const migrationHead = meta.migrationHead ? await migrationHeadOf(deps, ctx, opts.containers, emit) : null;
  const reasons = incompatibilities(meta, { composeHash: compose.hash, migrationHead });
  if (reasons.length && !opts.force) throw incompatibleError(name, reasons);
  for (const r of reasons) emit({ type: 'step', instance: ctx.rec.id, id: 'forced', label: `--force: ${r}`, state: 'warning' });
  const plans = planVolumes(
    compose.doc,
    ctx.rec.id,
    meta.volumes.map((v) => v.key),
  );
  const existing = new Set<string>();
  for (const p of plans) if (await io.volumeExists(p.name)) existing.add(p.name);
  return { meta, plans, forced: reasons, existing };
}

/** Where the volumes are: `remote` is the ssh link of a remote engine (null: the engine this machine reaches). */
export interface RestoreTarget {
  remote: RemoteLink | null;
}

/**
 * The helper's image on the volumes' engine. A remote engine that lacks it gets it copied from here first
 * (docker save | docker load, as `up` does): the compose file's image, else the one the snapshot was taken with.
 */
async function helperImageThere(
  deps: Deps,
  p: VolumePlan,
  containers: ContainerInfo[],
  meta: SnapshotMeta,
  where: RestoreTarget,
  emit: EventSink,
  id: string,
): Promise<string> {
  const io = deps.volumeIo;
  const found = await helperImage(io, p, containers, meta).catch((err: unknown) => {
    if (!where.remote) throw err;
    return null;
  });
  if (found) return found;
  for (const ref of [p.image, meta.image]) {
    if (ref && (await where.remote!.copyMissingImages([ref], emit, id)).length) break;
  }
  return helperImage(io, p, containers, meta);
}

/** Copy the snapshot into the planned volumes (creating the missing ones). Returns whether secrets changed. */
export async function applyRestore(
  deps: Deps,
  ctx: LoadedInstance,
  plan: RestorePlan,
  containers: ContainerInfo[],
  emit: EventSink,
  where: RestoreTarget = { remote: null },
): Promise<{ summary: RestoreSummary; secretsChanged: boolean }> {
  const t0 = deps.clock.now();
  const { store, io } = snapshotPorts(deps);
  const id = ctx.rec.id;
  const { meta } = plan;
  let secretsChanged = false;
  if (meta.secrets.length) {
    const wanted = await store.secrets(meta.name);
    const current = await deps.secrets.get(id, { ...ctx.manifest.secrets, cwd: ctx.rec.path });
    const changes = Object.fromEntries(meta.secrets.filter((k) => wanted[k] && current[k] !== wanted[k]).map((k) => [k, wanted[k]!]));
    if (Object.keys(changes).length) {
      await deps.secrets.set(id, changes);
      secretsChanged = true;
      emit({
        type: 'step',
        instance: id,
        id: 'secrets',
        label: `Secrets ${Object.keys(changes).join(', ')} taken from the snapshot (its database keeps its password)`,
        state: 'info',
      });
    }
  }
  const volumes: RestoreSummary['volumes'] = [];
  for (const p of plan.plans) {
    const v = meta.volumes.find((x) => x.key === p.key)!;
    const exists = plan.existing.has(p.name);
    const image = await helperImageThere(deps, p, containers, meta, where, emit, id);
    if (!exists) await io.createVolume(p.name, volumeLabels(id, p.key, ownerId(deps)));
    const r = await step(
      emit,
      id,
      `restore-${p.key}`,
      `${exists ? 'Replaced' : 'Filled'} volume ${p.name} from snapshot ${meta.name}`,
      () =>
        io.importVolume(
          { volume: p.name, image, labels: helperLabels(id, ownerId(deps)) },
          store.archive(meta.name, v.file),
          // a remote engine cannot see this machine's files: the archive is streamed over its Docker socket
          { clear: exists, ...(where.remote ? { via: 'api' as const } : {}) },
          progressLines(emit, id, p.key),
        ),
    );
    volumes.push({ key: p.key, volume: p.name, bytes: r.bytes || v.bytes });
  }
  return { summary: { snapshot: meta.name, instance: id, volumes, forced: plan.forced, elapsedMs: deps.clock.now() - t0 }, secretsChanged };
}

/** Restore into volumes that must not exist yet (a new instance, or one never started). */
export async function restoreIntoNewVolumes(
  deps: Deps,
  ctx: LoadedInstance,
  name: string,
  opts: { force?: boolean },
  emit: EventSink,
  where: RestoreTarget = { remote: null },
): Promise<RestoreSummary> {
  const containers = (await deps.engine.listContainers({ projects: [ctx.rec.id], all: true })).filter((c) => !c.oneOff);
  const plan = await planRestore(deps, ctx, name, { force: opts.force, containers }, emit);
  if (plan.existing.size) {
    throw new SandboxError(
      'STATE',
      `Instance "${ctx.rec.id}" already has ${[...plan.existing].join(', ')}: --snapshot fills only volumes that do not exist yet`,
      {
        hint: `Replace their content with \`ktrdr-sandbox reset ${ctx.rec.id} --snapshot ${name}\`.`,
      },
    );
  }
  return (await applyRestore(deps, ctx, plan, containers, emit, where)).summary;
}
