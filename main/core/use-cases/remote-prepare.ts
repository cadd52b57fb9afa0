// `up` of an instance on a remote engine (issue 13), whichever surface calls it — the engine is found and
// connected, and the slot's ports kept forwarded, when the instance is resolved (instance-context.ts). Before
// compose: this machine's side of the ports checked and forwarded, the source synced to the same absolute path,
// shared data folders present, images the remote engine lacks copied. After destroy: the forwards and the synced
// copy go. The I/O is the remotes port's (adapters/remote-engine.ts); the order, checks and registry note are here.
import { composeFilePaths } from '../compose-model';
import { probeSlotPorts } from '../conflicts';
import type { Deps } from '../deps';
import { step, type EventSink } from '../events';
import { SandboxError } from '../errors';
import { mapPath } from '../path-map';
import { slotPorts } from '../ports';
import type { RemoteLink } from '../remotes';
import type { LoadedInstance } from '../resolve';
import { portConflictError } from '../slots';
import { instances } from '../registry';
import type { PathMapEntry } from '../../shared/types';
import { mappedByRecord, startSourceWatch } from './sync';

/** Images named by the compose files (plain names; ones built from a variable are left to compose). */
export function composeImages(docs: unknown[]): string[] {
  const out = new Set<string>();
  for (const d of docs) {
    const services = (d as { services?: Record<string, { image?: unknown }> } | null)?.services ?? {};
    for (const s of Object.values(services)) if (typeof s?.image === 'string' && !s.image.includes('$')) out.add(s.image);
  }
  return [...out].sort();
}

/** What `up` on a remote engine needs before compose runs: ports, source, shared folders, images. */
export async function prepareRemoteUp(deps: Deps, ctx: LoadedInstance, remote: RemoteLink, emit: EventSink): Promise<void> {
  const { rec } = ctx;
  const id = rec.id;
  // the ports first: a port taken here fails at once, before the sync and the image copy
  const slot = slotPorts(ctx.manifest, rec.slot);
  const ports = slot.map((p) => p.port);
  await step(emit, id, 'forwards', `Ports ${ports.join(', ')} forwarded from localhost to ${remote.engine}`, async () => {
    // this machine's side of the port pre-check (the remote side: up's own pre-check on that engine); our
    // forwards of an earlier up are dropped first, or they would count as a foreign holder
    await remote.cancelPorts(ports);
    const [reg, running] = await Promise.all([deps.registry.read(), deps.engine.listContainers({ all: false })]);
    let conflicts = await probeSlotPorts({ ports: slot, selfProject: id, running, registry: reg, probe: deps.ports });
    if (conflicts.some((c) => c.holder.kind === 'process')) {
      // a forward the cancel above missed (a loaded machine) is still the connection's own: forwardPorts replaces it
      const own = new Set(await remote.ownPids());
      conflicts = conflicts.filter((c) => !(c.holder.kind === 'process' && own.has(c.holder.pid)));
    }
    if (conflicts.length) throw portConflictError(rec.slot, conflicts, reg);
    await remote.forwardPorts(ports);
  });
  const src = rec.engine?.source;
  if (src?.mode === 'path-map') {
    // shared by NFS: nothing is synced; the override gives the engine the mapped bind sources (override/path-map.ts)
    const map = src.map ?? [];
    await step(emit, id, 'path-map', `Source shared with ${remote.engine} by path map (${describeMap(map)}): nothing synced`, () =>
      checkMappedDir(remote, rec.path, map, id),
    );
  } else {
    await step(emit, id, 'sync', `Source synced to ${remote.engine}:${rec.path} (rsync, git-ignored files stay here)`, async () => {
      const r = await remote.syncDir(rec.path);
      emit({ type: 'step', instance: id, id: 'sync-stats', label: `${r.files} file(s) sent in ${r.ms} ms`, state: 'info' });
    });
    if (src?.remotePath !== rec.path) {
      // destroy removes the synced copy only where the registry says one was made
      await deps.registry.update((reg) => {
        const cur = reg.instances[id];
        if (cur) cur.engine = { ...(cur.engine ?? { context: remote.engine }), source: { mode: 'sync', remotePath: rec.path } };
      });
    }
  }
  const shared = [ctx.vars.KTRDR_SHARED_DIR, ...Object.values(ctx.manifest.shared.mounts).map((v) => ctx.vars[v])].filter(
    (d): d is string => !!d && !mappedByRecord(rec, d),
  );
  if (shared.length)
    await step(emit, id, 'sync-shared', `Shared data folders present on ${remote.engine}`, async () => {
      for (const d of new Set(shared)) {
        if (deps.files.exists(d)) await remote.syncDir(d, { gitIgnore: false });
        else await remote.mkdir(d);
      }
    });
  const docs = await deps.engines.composeDocs(composeFilePaths(rec.path, ctx.manifest.compose.files)).catch(() => []);
  await remote.copyMissingImages(composeImages(docs), emit, id);
}

/** After compose started it on the remote engine: the background watcher keeps the synced source current. */
export async function watchRemoteSource(deps: Deps, ctx: LoadedInstance, emit: EventSink): Promise<void> {
  const rec = (await deps.registry.read()).instances[ctx.rec.id] ?? ctx.rec;
  if (rec.engine?.source?.mode === 'path-map') return;
  const w = await startSourceWatch(deps, rec);
  if (w)
    emit({
      type: 'step',
      instance: rec.id,
      id: 'sync-watch',
      label: `Source kept in sync while it runs (${w.started ? 'watcher started' : 'watcher running'}, pid ${w.pid}; \`ktrdr-sandbox down\` stops it)`,
      state: 'info',
    });
}

/** "/home/me/src → /mnt/src" for each entry of a path map. */
export function describeMap(map: PathMapEntry[]): string {
  return map.map((m) => `${m.local} → ${m.remote}`).join(', ') || 'empty';
}

/** The instance's directory is under a LOCAL of the map, and its mapped path exists on the engine's host. */
export async function checkMappedDir(remote: RemoteLink, path: string, map: PathMapEntry[], id: string): Promise<string> {
  const there = mapPath(path, map);
  if (there === undefined)
    throw new SandboxError('STATE', `${path} is under no mapped path (${describeMap(map)}): the engine cannot see "${id}"'s source`, {
      hint: `Map a directory holding it: \`ktrdr-sandbox move ${id} --engine ${remote.engine} --path-map LOCAL=REMOTE\` (or without --path-map to sync it).`,
    });
  if (!(await remote.dirExists(there)))
    throw new SandboxError('STATE', `${there} does not exist on ${remote.engine} (the mapped path of ${path})`, {
      hint: 'Mount the share there (NFS), or fix the map with `ktrdr-sandbox move ID --engine CONTEXT --path-map LOCAL=REMOTE`.',
    });
  return there;
}

/** After destroy: the forwards go, and the synced copy of the source on the remote host (only one we made). */
export async function cleanRemote(remote: RemoteLink, ctx: LoadedInstance): Promise<void> {
  const { rec } = ctx;
  await remote.cancelPorts(slotPorts(ctx.manifest, rec.slot).map((p) => p.port));
  const src = rec.engine?.source;
  if (src?.mode === 'sync' && src.remotePath === rec.path && rec.path.length > 1) await remote.removeDir(rec.path);
}

/**
 * After a destroy: when no registered instance runs on that engine any more, its ssh connection (ControlPersist
 * would keep it until the host goes or the machine reboots) is ended. The next command on that engine opens it.
 */
export async function disconnectIfUnused(deps: Pick<Deps, 'registry'>, remote: RemoteLink): Promise<boolean> {
  if (instances(await deps.registry.read()).some((r) => r.engine?.context === remote.engine)) return false;
  await remote.disconnect();
  return true;
}
