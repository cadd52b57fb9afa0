// snapshot save NAME: copy the instance's chosen named volumes into <home>/snapshots/NAME, consistently: the
// services using a volume are stopped (cleanly, with a long grace period) for the copy and started again.
// A service that had to be killed would leave a torn copy: the save is refused.
import type { Deps } from '../deps';
import { ownerId } from '../owner';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { onInstanceEngine } from '../instance-context';
import { loadInstance, requireDir, type InstanceRef } from '../resolve';
import { isRecycledWal, PG_CONTROL_SCRIPT, walTrimFrom, type WalTrim } from '../snapshot-postgres';
import type { HelperSpec, VolumeIo } from '../snapshot-ports';
import { formatBytes, ownVolumeKeys, planVolumes, validateSnapshotName } from '../snapshot-plan';
import type { SnapshotMeta, SnapshotSummary, SnapshotVolume } from '../../shared/snapshot-types';
import {
  STOP_TIMEOUT_S,
  helperImage,
  helperLabels,
  instanceCompose,
  migrationHeadOf,
  progressLines,
  snapshotPorts,
} from './snapshot-common';

export interface SaveOptions {
  name: string;
  /** Compose volume keys (default: the manifest's snapshot.volumes). */
  volumes?: string[];
  /** Replace an existing snapshot of that name. */
  force?: boolean;
  /** gzip the archives: smaller, but slower to save and to restore (default: plain tar, the fastest). */
  compress?: boolean;
}

/** Exit code of a container stopped by SIGKILL after the grace period. */
const KILLED = 137;

/** A stopped PostgreSQL volume (manifest snapshot.postgres): which WAL the copy leaves out; null (with a warning): none. */
async function walTrim(io: VolumeIo, spec: HelperSpec, emit: EventSink, id: string, key: string): Promise<WalTrim | null> {
  const res = await io.inspectVolume(spec, PG_CONTROL_SCRIPT).catch((err: Error) => ({ exitCode: -1, output: err.message }));
  const trim = res.exitCode === 0 ? walTrimFrom(res.output) : { reason: res.output.trim().split('\n').pop() || `exit ${res.exitCode}` };
  if ('reason' in trim) {
    emit({ type: 'step', instance: id, id: `wal-${key}`, label: `${key}: all WAL copied (${trim.reason})`, state: 'warning' });
    return null;
  }
  return trim;
}

export async function saveSnapshot(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: SaveOptions,
  emit: EventSink = noEvents,
): Promise<SnapshotSummary> {
  const t0 = baseDeps.clock.now();
  const name = validateSnapshotName(opts.name);
  // the instance's engine (a remote one: its volumes and helper containers are there; the archive comes here)
  const { rec, deps } = await onInstanceEngine(baseDeps, ref);
  const { store, io } = snapshotPorts(deps);
  requireDir(rec, deps.files);
  const ctx = await loadInstance(deps, rec);
  const id = rec.id;

  // Validate everything before stopping anything.
  if (!opts.force && (await store.get(name))) {
    throw new SandboxError('STATE', `A snapshot "${name}" already exists`, { hint: 'Choose another name, or pass --force to replace it.' });
  }
  const compose = instanceCompose(deps.files, ctx);
  // --volumes, else the manifest's snapshot.volumes, else (no manifest entry) every named volume of the stack.
  const configured = opts.volumes?.length ? opts.volumes : (ctx.manifest.snapshot?.volumes ?? []);
  const keys = configured.length ? configured : ownVolumeKeys(compose.doc);
  if (!keys.length) {
    throw new SandboxError('USAGE', 'No volumes to snapshot: the compose files declare no named volume', {
      hint: 'Pass --volumes NAME…, or list them in ktrdr-sandbox.yml under snapshot.volumes.',
    });
  }
  const plans = planVolumes(compose.doc, id, [...new Set(keys)]);
  await step(emit, id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  for (const p of plans) {
    if (!(await io.volumeExists(p.name))) {
      throw new SandboxError('STATE', `Instance "${id}" has no volume ${p.name} yet`, {
        hint: `Start it once (\`ktrdr-sandbox up ${id}\`) so that the volume exists.`,
      });
    }
  }
  const containers = (await deps.engine.listContainers({ projects: [id], all: true })).filter((c) => !c.oneOff);
  const migrationHead = await migrationHeadOf(deps, ctx, containers, emit);
  const image = await helperImage(io, plans[0]!, containers);
  const commit = await deps.git.head(rec.path).catch(() => null);
  const generated = ctx.manifest.secrets.generate;
  const allSecrets = generated.length ? await deps.secrets.get(id, { ...ctx.manifest.secrets, cwd: rec.path }) : {};
  const secrets = Object.fromEntries(generated.filter((n) => allSecrets[n]).map((n) => [n, allSecrets[n]!]));

  const services = [...new Set(plans.flatMap((p) => p.services))];
  const running = containers.filter((c) => services.includes(c.service) && c.state === 'running');
  const draft = await store.begin(name);
  const volumes: SnapshotVolume[] = [];
  try {
    try {
      if (running.length) {
        const stopped = await step(emit, id, 'stop', `Stopped ${running.map((c) => c.service).join(', ')} for a consistent copy`, () =>
          io.stop(
            running.map((c) => c.id),
            STOP_TIMEOUT_S,
          ),
        );
        const killed = stopped.filter((s) => s.exitCode === KILLED);
        if (killed.length) {
          throw new SandboxError(
            'STATE',
            `${killed.length} service(s) did not stop cleanly within ${STOP_TIMEOUT_S}s (killed): a copy now would be torn`,
            {
              hint: 'Nothing was saved. Find out why the service does not shut down (ktrdr-sandbox logs), then try again.',
            },
          );
        }
      }
      const postgres = ctx.manifest.snapshot?.postgres ?? [];
      for (const p of plans) {
        const file = `${p.key}.tar${opts.compress ? '.gz' : ''}`;
        const spec = { volume: p.name, image, labels: helperLabels(id, ownerId(deps)) };
        const trim = postgres.includes(p.key) ? await walTrim(io, spec, emit, id, p.key) : null;
        const skip = trim ? (path: string) => isRecycledWal(trim, path) : undefined;
        const r = await step(emit, id, `copy-${p.key}`, `Copied volume ${p.name}`, () =>
          io.exportVolume(spec, draft.file(file), progressLines(emit, id, p.key), { skip }),
        );
        const left = r.skipped ? `; ${formatBytes(r.skipped)} of recycled WAL left out` : '';
        emit({
          type: 'step',
          instance: id,
          id: `size-${p.key}`,
          label: `${p.key}: ${formatBytes(r.bytes)} (${formatBytes(r.stored)} on disk${left})`,
          state: 'info',
        });
        volumes.push({ key: p.key, source: p.name, file, bytes: r.bytes, stored: r.stored, services: p.services });
      }
    } finally {
      // Whatever happened (a kill, a failed copy), what was running runs again.
      if (running.length) {
        await step(emit, id, 'start', `Started ${running.map((c) => c.service).join(', ')} again`, () =>
          io.start(running.map((c) => c.id)),
        );
      }
    }
    const meta: SnapshotMeta = {
      version: 1,
      name,
      createdAt: new Date(deps.clock.now()).toISOString(),
      repo: rec.repo,
      source: { instance: id, path: rec.path, branch: rec.branch },
      commit,
      migrationHead,
      composeHash: compose.hash,
      composeFiles: compose.files,
      method: running.length ? 'stopped' : 'offline',
      image,
      volumes,
      secrets: Object.keys(secrets),
      elapsedMs: deps.clock.now() - t0,
    };
    const stored = await draft.commit(meta, secrets, { replace: !!opts.force });
    const isDefault = (await store.defaults())[rec.repo] === name;
    return { ...stored.meta, sizeOnDisk: stored.sizeOnDisk, isDefault };
  } catch (err) {
    await draft.abort().catch(() => undefined);
    throw err;
  }
}
