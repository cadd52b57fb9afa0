// `ktrdr-sandbox sync [ID] [--watch]` (issue 13): keep the copy of a remote instance's source current on the
// engine's host. Once: the worktree and the shared data folders rsynced now. --watch: a sync after every change
// (batched: core/sync-watch.ts) until stopped — in the foreground, or as the background watcher `up` starts; its
// state is written for `status` and the dashboard. The watcher ends by itself when the instance is destroyed or
// moved, when its state file is removed (`down`, `destroy`, another watcher taking over), or when the engine's
// host has not answered for `goneAfterMs`. While it runs it is also what keeps a running remote instance's links
// working: a dropped ssh connection is re-established within a check interval (5 s), with the slot's forwards.
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { mapPath } from '../path-map';
import { slotPorts } from '../ports';
import type { RemoteLink, SyncPort } from '../remotes';
import { loadInstance, requireDir, resolveInstance, type InstanceRef, type LoadedInstance } from '../resolve';
import { ChangeBatcher, ignoredChange, syncTargets, type BatcherOptions, type SyncTarget } from '../sync-watch';
import type { InstanceRecord } from '../../shared/types';
import type { SyncState } from '../../shared/sync';

export interface SyncResult {
  id: string;
  engine: string;
  dirs: { dir: string; files: number; ms: number }[];
  files: number;
  ms: number;
}

interface Synced {
  rec: InstanceRecord;
  ctx: LoadedInstance;
  remote: RemoteLink;
  targets: SyncTarget[];
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? s;

/** The instance, its remote link and what is synced; one-line errors when there is nothing to sync. */
async function synced(deps: Deps, ref: InstanceRef): Promise<Synced> {
  // connected, but its forwards left as they are (the watcher starts while up's gate probes through them)
  const rec = await resolveInstance(deps, ref);
  const on = await deps.remotes.connect(rec);
  requireDir(rec, deps.files);
  if (!on.remote)
    throw new SandboxError('STATE', `"${rec.id}" runs on the local engine (${on.name}): its bind mounts read the worktree itself`, {
      hint: 'Sync is for instances on an ssh:// engine (`ktrdr-sandbox move ID --engine CONTEXT`).',
    });
  if (rec.engine?.source?.mode === 'path-map')
    throw new SandboxError('STATE', `"${rec.id}" shares its source with ${on.name} by a path map (NFS): nothing is synced`, {
      hint: 'To sync instead: `ktrdr-sandbox move ID --engine CONTEXT` without --path-map.',
    });
  const ctx = await loadInstance(deps, rec);
  const targets = syncTargets(rec.path, ctx.manifest, ctx.vars, (d) => deps.files.exists(d));
  return { rec, ctx, remote: on.remote, targets };
}

/** One sync of the worktree and the shared data folders, now. */
export async function syncNow(deps: Deps, ref: InstanceRef, emit: EventSink = noEvents): Promise<SyncResult> {
  const { rec, remote, targets } = await synced(deps, ref);
  const t0 = deps.clock.now();
  const dirs: SyncResult['dirs'] = [];
  for (const t of targets) {
    const r = await remote.syncDir(t.dir, { gitIgnore: t.gitIgnore });
    dirs.push({ dir: t.dir, ...r });
    emit({ type: 'step', instance: rec.id, id: 'sync', label: `${t.dir}: ${r.files} file(s) sent in ${r.ms} ms`, state: 'info' });
  }
  return { id: rec.id, engine: remote.engine, dirs, files: dirs.reduce((n, d) => n + d.files, 0), ms: deps.clock.now() - t0 };
}

export interface WatchOptions {
  /** Started by `up` (a detached process): its state file was written by the starter with this pid. */
  background?: boolean;
  signal?: AbortSignal;
  /** How often the instance, the state file and the connection are checked (default 5 s). */
  checkEveryMs?: number;
  /** The engine's host unreachable this long: the watcher ends (default 10 min). */
  goneAfterMs?: number;
  batch?: BatcherOptions;
}

export const SYNC_CHECK_MS = 5_000;
export const SYNC_GONE_MS = 10 * 60_000;

export function syncPort(deps: Deps): SyncPort {
  return deps.remotes.sync;
}

/** Why a watch ended: null when it was told to (signal, state file removed or taken over). */
export interface WatchEnd {
  reason: string | null;
  syncs: number;
}

/** Sync after every change until stopped; the state is written for `status` and the dashboard. */
export async function watchSync(deps: Deps, ref: InstanceRef, opts: WatchOptions = {}, emit: EventSink = noEvents): Promise<WatchEnd> {
  const port = syncPort(deps);
  const s = await synced(deps, ref);
  const { rec } = s;
  let remote = s.remote;
  const id = rec.id;
  const me = deps.env.pid;
  if (!opts.background) await port.stop(id); // a foreground watch takes over from the background one
  let state: SyncState = { id, pid: me, state: 'watching', startedAt: new Date(deps.clock.now()).toISOString(), syncs: 0 };
  const ours = () => port.read(id)?.pid === me;
  const save = (next: Partial<SyncState>) => {
    state = { ...state, ...next };
    if (!next.error && state.state !== 'failed') delete state.error;
    if (ours()) port.write(state);
  };
  port.write(state); // ours from now on (a background watcher's starter wrote the same pid)
  const byDir = new Map(s.targets.map((t) => [t.dir, t]));
  const failed = new Set<string>();
  const flush = async (dirs: string[]) => {
    save({ state: 'syncing' });
    let files = 0;
    const t0 = deps.clock.now();
    try {
      for (const dir of dirs) {
        const t = byDir.get(dir);
        if (!t || !deps.files.exists(t.dir)) continue; // removed here (destroy): never made again there
        try {
          files += (await remote.syncDir(t.dir, { gitIgnore: t.gitIgnore })).files;
          failed.delete(dir);
        } catch (err) {
          failed.add(dir);
          throw err;
        }
      }
      const ms = deps.clock.now() - t0;
      save({
        state: 'watching',
        lastSyncAt: new Date(deps.clock.now()).toISOString(),
        lastFiles: files,
        lastMs: ms,
        syncs: state.syncs + 1,
      });
      emit({ type: 'step', instance: id, id: 'sync', label: `${files} file(s) sent in ${ms} ms`, state: 'info' });
    } catch (err) {
      const message = firstLine((err as Error).message);
      save({ state: 'failed', error: message });
      emit({ type: 'step', instance: id, id: 'sync', label: `sync failed: ${message}`, state: 'warning' });
    }
  };
  const batcher = new ChangeBatcher(deps.clock, flush, opts.batch);
  let watchError: string | null = null;
  const unwatch = port.watch(
    [...byDir.keys()],
    (dir, rel) => {
      const t = byDir.get(dir);
      if (t && !ignoredChange(t, rel)) batcher.add(dir);
    },
    (err) => (watchError = firstLine(err.message)),
  );
  for (const dir of byDir.keys()) batcher.add(dir); // what changed between up's sync and now
  const every = opts.checkEveryMs ?? SYNC_CHECK_MS;
  const goneAfter = opts.goneAfterMs ?? SYNC_GONE_MS;
  let goneSince: number | null = null;
  let reason: string | null = null;
  try {
    for (;;) {
      try {
        await deps.clock.sleep(every, opts.signal);
      } catch {
        break; // aborted: Ctrl-C, SIGTERM
      }
      if (!ours()) break; // `down`/`destroy` removed the state, or another watcher took over
      if (watchError) {
        reason = `watching ${rec.path} failed: ${watchError}`;
        break;
      }
      const now = (await deps.registry.read()).instances[id];
      if (
        !now ||
        now.path !== rec.path ||
        (now.engine?.context ?? null) !== (rec.engine?.context ?? null) ||
        now.engine?.source?.mode === 'path-map'
      ) {
        reason = now ? 'the instance was moved' : 'the instance was destroyed';
        break;
      }
      if (await remote.alive().catch(() => false)) {
        goneSince = null;
      } else {
        try {
          remote = (await deps.remotes.connect(rec)).remote ?? remote; // the connection comes back,
          await remote.forwardPorts(slotPorts(s.ctx.manifest, rec.slot).map((p) => p.port)); // and the links with it
          goneSince = null;
          save({ reconnects: (state.reconnects ?? 0) + 1, lastReconnectAt: new Date(deps.clock.now()).toISOString() });
          emit({
            type: 'step',
            instance: id,
            id: 'reconnect',
            label: `ssh connection to ${remote.engine} and the forwarded ports back`,
            state: 'info',
          });
        } catch (err) {
          goneSince ??= deps.clock.now();
          if (deps.clock.now() - goneSince >= goneAfter) {
            reason = `engine ${remote.engine} unreachable for ${Math.round(goneAfter / 60_000)} min: ${firstLine((err as Error).message)}`;
            break;
          }
          continue;
        }
      }
      for (const dir of failed) batcher.add(dir); // a failed sync is tried again once the host answers
    }
  } finally {
    unwatch();
    batcher.stop();
    if (reason !== null && ours()) save({ state: 'stopped', error: reason });
  }
  return { reason, syncs: state.syncs };
}

/** After a remote `up`: the background watcher (when the source is synced, not path-mapped). */
export async function startSourceWatch(deps: Deps, rec: InstanceRecord): Promise<{ pid: number; started: boolean } | null> {
  if (rec.engine?.source?.mode === 'path-map') return null;
  return deps.remotes.sync.start(rec.id);
}

/** `down`, `destroy`: the watcher of the instance stops (nothing when none runs). */
export async function stopSourceWatch(deps: Deps, id: string): Promise<boolean> {
  return deps.remotes.sync.stop(id);
}

/** Is p served to the engine by the instance's path map (nothing to sync)? */
export function mappedByRecord(rec: InstanceRecord, p: string): boolean {
  const src = rec.engine?.source;
  return src?.mode === 'path-map' && !!src.map && mapPath(p, src.map) !== undefined;
}
