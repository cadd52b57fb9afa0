// What save, restore and reset share: the snapshot ports, the instance's compose files (hash and resolved
// document), the migration head, the helper container's image and labels, and progress lines.
import { parse as parseYaml } from 'yaml';
import type { Deps, Files } from '../deps';
import { SandboxError } from '../errors';
import type { EventSink } from '../events';
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_ROLE, COMPOSE_PROJECT_LABEL } from '../labels';
import { expandTemplate } from '../ports';
import type { LoadedInstance } from '../resolve';
import { renderResolvedCompose } from '../resolved-compose';
import { composeFilePaths } from '../compose-model';
import { composeHash, composeProjectName, formatBytes, validateSnapshotName, type VolumePlan } from '../snapshot-plan';
import type { CopyProgress, SnapshotStore, VolumeIo } from '../snapshot-ports';
import type { ContainerInfo } from '../../shared/types';
import type { SnapshotMeta } from '../../shared/snapshot-types';

export const SNAPSHOT_ROLE = 'snapshot';
export { STOP_TIMEOUT_S } from '../snapshot-plan';

export function snapshotPorts(deps: Deps): { store: SnapshotStore; io: VolumeIo } {
  return { store: deps.snapshots, io: deps.volumeIo };
}

export interface InstanceCompose {
  hash: string;
  files: string[];
  /** The merged compose document with the instance's variables filled in. */
  doc: unknown;
}

export function instanceCompose(fs: Pick<Files, 'readText'>, ctx: LoadedInstance): InstanceCompose {
  const paths = composeFilePaths(ctx.rec.path, ctx.manifest.compose.files);
  const files = paths.map((path) => {
    const text = fs.readText(path);
    if (text === undefined) throw new SandboxError('STATE', `Compose file not found: ${path}`);
    return { path, text };
  });
  const doc = parseYaml(
    renderResolvedCompose(
      files.map((f) => f.text),
      ctx.vars,
    ),
  ) as unknown;
  return { hash: composeHash(files), files: ctx.manifest.compose.files, doc };
}

/** The database's migration head through the manifest's exec, when the service runs; null when unknown. */
export async function migrationHeadOf(
  deps: Deps,
  ctx: LoadedInstance,
  containers: ContainerInfo[],
  emit: EventSink,
): Promise<string | null> {
  const spec = ctx.manifest.snapshot?.migrationHead;
  if (!spec) return null;
  const c = containers.find((x) => x.service === spec.service && x.state === 'running' && !x.oneOff);
  if (!c) return null;
  const res = await deps.engine
    .exec(
      c.id,
      spec.command.map((a) => expandTemplate(a, ctx.vars)),
      { timeoutMs: 30_000 },
    )
    .catch((err: Error) => ({ exitCode: -1, output: err.message }));
  const last = res.output.trim().split('\n').pop()?.trim() ?? '';
  if (res.exitCode !== 0 || !last) {
    emit({
      type: 'step',
      instance: ctx.rec.id,
      id: 'migration-head',
      label: `migration head unknown (${spec.command.join(' ')} exited ${res.exitCode})`,
      state: 'warning',
    });
    return null;
  }
  return last.slice(0, 200);
}

/** owner: this registry's identity (main/core/owner.ts), so prune/destroy can prove the object is ours. */
export function helperLabels(instance: string, owner?: string): Record<string, string> {
  return { [LABEL_ROLE]: SNAPSHOT_ROLE, [LABEL_INSTANCE]: instance, ...(owner ? { [LABEL_OWNER]: owner } : {}) };
}

/** Labels of a volume we create for compose: compose's own (it adopts the volume), plus our instance and owner labels. */
export function volumeLabels(instance: string, key: string, owner?: string): Record<string, string> {
  return {
    [COMPOSE_PROJECT_LABEL]: composeProjectName(instance),
    'com.docker.compose.volume': key,
    [LABEL_INSTANCE]: instance,
    ...(owner ? { [LABEL_OWNER]: owner } : {}),
  };
}

/** The helper's image: the image of a container of the volume's service, the compose image, or the snapshot's. */
export async function helperImage(io: VolumeIo, plan: VolumePlan, containers: ContainerInfo[], meta?: SnapshotMeta): Promise<string> {
  const c = containers.find((x) => plan.services.includes(x.service) && !x.oneOff);
  if (c) return io.containerImage(c.id);
  for (const ref of [plan.image, meta?.image]) {
    if (!ref) continue;
    const id = await io.imageId(ref);
    if (id) return id;
  }
  throw new SandboxError('STATE', `No local image to copy volume "${plan.key}" with (service ${plan.services.join(', ') || '?'})`, {
    hint: "Build or pull the stack's images first (`ktrdr-sandbox up --build` on any instance of this repository).",
  });
}

/** A progress callback that reports at most every 2 s as an info step. */
export function progressLines(emit: EventSink, instance: string, what: string): CopyProgress {
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    emit({ type: 'step', instance, id: `copy-${what}`, label: `${what}: ${formatBytes(bytes)} copied`, state: 'info' });
  };
}

/** The snapshot to restore: the one named, else the repository's default. */
export async function chooseSnapshot(store: SnapshotStore, repo: string, name: string | undefined): Promise<string> {
  if (name) return validateSnapshotName(name);
  const def = (await store.defaults())[repo];
  if (!def) {
    throw new SandboxError('USAGE', 'No snapshot named and no default snapshot for this repository', {
      hint: 'Pass --snapshot NAME, or set one with `ktrdr-sandbox snapshot default NAME`.',
    });
  }
  return def;
}

export async function requireSnapshot(store: SnapshotStore, name: string): Promise<SnapshotMeta> {
  const s = await store.get(validateSnapshotName(name));
  if (!s) throw new SandboxError('NOT_FOUND', `No snapshot "${name}"`, { hint: 'List them with `ktrdr-sandbox snapshot list`.' });
  return s.meta;
}
