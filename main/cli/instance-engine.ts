// The CLI's way to act on an instance where it runs (issue 13): resolve it, build deps for its engine
// (adapters/remote-engine.ts), and for a remote ssh engine make it ready for `up` (source synced, images copied,
// slot ports forwarded) or keep its forwards alive for the other commands. Instances on the current engine get
// rt.deps() untouched.
import type { Deps } from '../core/deps';
import { composeFilePaths } from '../core/compose-model';
import { SandboxError } from '../core/errors';
import { noEvents, step, type EventSink } from '../core/events';
import { slotPorts } from '../core/ports';
import { probeSlotPorts } from '../core/conflicts';
import { portConflictError } from '../core/slots';
import { loadInstance, resolveInstance, type InstanceRef } from '../core/resolve';
import type { InstanceRecord } from '../core/types';
import { composeImages, copyMissingImages, depsForEngine, syncDir, syncSharedDirs, type EngineDeps } from '../adapters/remote-engine';
import type { Runtime } from './runtime';

export interface InstanceEngineOptions {
  /** `up`: sync the source, copy missing images, forward the slot's ports before the start */
  prepareUp?: boolean;
  emit?: EventSink;
}

/** Sync, images, ports: what `up` on a remote engine needs before compose runs. */
async function prepareUp(base: Deps, e: EngineDeps, rec: InstanceRecord, emit: EventSink): Promise<void> {
  const remote = e.remote!;
  const id = rec.id;
  const ctx = await loadInstance(base, rec);
  // the ports first: a port taken here fails at once, before the sync and the image copy
  const slot = slotPorts(ctx.manifest, rec.slot);
  const ports = slot.map((p) => p.port);
  await step(emit, id, 'forwards', `Ports ${ports.join(', ')} forwarded from localhost to ${remote.engine}`, async () => {
    // this machine's side of the port pre-check (the remote side: up's own pre-check on that engine); our
    // forwards of an earlier up are dropped first, or they would count as a foreign holder
    await remote.tunnel.cancelPorts(ports);
    const [reg, running] = await Promise.all([base.registry.read(), base.engine.listContainers({ all: false })]);
    const conflicts = await probeSlotPorts({ ports: slot, selfProject: id, running, registry: reg, probe: base.ports });
    if (conflicts.length) throw portConflictError(rec.slot, conflicts, reg);
    await remote.tunnel.forwardPorts(ports);
    for (const p of ports) e.forwarded.add(p);
  });
  await step(emit, id, 'sync', `Source synced to ${remote.engine}:${rec.path} (rsync, git-ignored files stay here)`, async () => {
    const r = await syncDir(remote, rec.path, process.env);
    emit({ type: 'step', instance: id, id: 'sync-stats', label: `${r.files} file(s) sent in ${r.ms} ms`, state: 'info' });
  });
  if (rec.engine?.source?.remotePath !== rec.path) {
    await base.registry.update((reg) => {
      const cur = reg.instances[id];
      if (cur) cur.engine = { ...(cur.engine ?? { context: remote.engine }), source: { mode: 'sync', remotePath: rec.path } };
    });
  }
  const shared = [ctx.vars.KTRDR_SHARED_DIR, ...Object.values(ctx.manifest.shared.mounts).map((v) => ctx.vars[v])].filter(
    (d): d is string => !!d,
  );
  if (shared.length)
    await step(emit, id, 'sync-shared', `Shared data folders present on ${remote.engine}`, () =>
      syncSharedDirs(remote, [...new Set(shared)], process.env),
    );
  const docs = base.engines ? await base.engines.composeDocs(composeFilePaths(rec.path, ctx.manifest.compose.files)).catch(() => []) : [];
  await copyMissingImages(remote, composeImages(docs), process.env, emit, id);
}

/** Deps acting on the instance's engine; `fn` gets them. */
export async function onInstanceEngine<T>(
  rt: Runtime,
  ref: InstanceRef,
  fn: (deps: Deps, e: EngineDeps, rec: InstanceRecord) => Promise<T>,
  opts: InstanceEngineOptions = {},
): Promise<T> {
  const base = rt.deps();
  const rec = await resolveInstance(base, ref);
  const e = await depsForEngine(base, rec);
  if (e.remote) {
    if (opts.prepareUp) await prepareUp(base, e, rec, opts.emit ?? noEvents);
    else {
      // the forwards of a running remote instance (links, exec, the gate) come back with the connection
      const ctx = await loadInstance(base, rec);
      const ports = slotPorts(ctx.manifest, rec.slot).map((p) => p.port);
      await e.remote.tunnel.forwardPorts(ports).then(
        () => ports.forEach((p) => e.forwarded.add(p)),
        () => undefined, // a port taken here: `up` says so with its pre-check
      );
    }
  }
  return fn(e.deps, e, rec);
}

/** After destroy: the synced copy of the source on the remote host, and the forwards, go too. */
export async function cleanRemote(e: EngineDeps, rec: InstanceRecord): Promise<void> {
  if (!e.remote) return;
  const ctx = { ports: [...e.forwarded] };
  await e.remote.tunnel.cancelPorts(ctx.ports);
  const src = rec.engine?.source;
  if (src?.mode === 'sync' && src.remotePath === rec.path && rec.path.length > 1) {
    const r = await e.remote.tunnel.exec(['rm', '-rf', '--', rec.path]);
    if (r.code !== 0)
      throw new SandboxError('STATE', `Could not remove ${rec.path} on ${e.remote.engine}: ${r.stderr.trim().split('\n')[0]}`);
  }
}
