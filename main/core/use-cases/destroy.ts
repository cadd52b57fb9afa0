// destroy: by registry identity. Refuses (touching nothing) when deleting the directory would lose work —
// tracked changes, untracked and ignored files that are not disposable, commits on no branch — unless forced;
// commits on the branch are kept (the branch is). Then marks, removes and forgets (./destroy-steps.ts).
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { ownerAlive } from '../liveness';
import { repairInterrupted } from '../recovery';
import { instances } from '../registry';
import { depsFor, onInstanceEngine } from '../instance-context';
import { loadInstance, resolveInstance, type InstanceRef } from '../resolve';
import { cleanRemote, disconnectIfUnused } from './remote-prepare';
import { stopSourceWatch } from './sync';
import type { DestroyPreview, DestroyResult } from '../../shared/results';
import type { InstanceRecord } from '../../shared/types';
import { destroyResolved, dirtyError, previewDestroy, type DestroyOptions } from './destroy-steps';
export type { DestroyPreview, DestroyResult } from '../../shared/results';
export { dirtyError, previewDestroy, type DestroyOptions } from './destroy-steps';

function assertNotInProgress(deps: Deps, rec: InstanceRecord): void {
  if (rec.state && ownerAlive(deps.env, rec.pid, rec.host)) {
    const what = rec.state === 'creating' ? 'being created' : 'being destroyed';
    throw new SandboxError('STATE', `"${rec.id}" is ${what} by process ${rec.pid}${rec.host ? ` on ${rec.host}` : ''}`, {
      hint: 'Wait for that command to finish, then try again.',
    });
  }
}

/** What `destroy ID` would delete and lose (the dashboard's Destroy dialog shows it before the click). */
export async function destroyPreview(deps: Deps, ref: InstanceRef, opts: DestroyOptions = {}): Promise<DestroyPreview> {
  return previewDestroy(deps, await resolveInstance(deps, ref), opts);
}

export async function destroyInstance(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: DestroyOptions = {},
  emit: EventSink = noEvents,
): Promise<DestroyResult> {
  // an unknown id fails before anything else; then everything acts on the instance's engine
  const { deps, on, rec: found } = await onInstanceEngine(baseDeps, ref);
  const loaded = on.remote ? await loadInstance(deps, found) : null; // its slot's ports, read before the directory goes
  await deps.engine.ping();
  await repairInterrupted(deps, emit);
  const rec = await resolveInstance(deps, ref);
  assertNotInProgress(deps, rec);
  const preview = await previewDestroy(deps, rec, opts).catch((err: unknown) => {
    if (opts.force) return null; // forced: nothing to check, so a directory git cannot read does not block it
    throw err;
  });
  if (preview?.refused && !opts.force) throw dirtyError([preview]);
  if (on.remote) await stopSourceWatch(baseDeps, rec.id); // before the worktree goes: nothing is synced after it
  const r = await destroyResolved(deps, rec, opts, emit, preview);
  if (on.remote && loaded) await cleanRemote(on.remote, { ...loaded, rec }); // the synced source there, the forwards
  if (on.remote) await disconnectIfUnused(baseDeps, on.remote); // the last instance there: no ssh connection left up
  return r;
}

export async function destroyAll(deps: Deps, opts: DestroyOptions = {}, emit: EventSink = noEvents): Promise<DestroyResult[]> {
  await deps.engine.ping();
  await repairInterrupted(deps, emit);
  const all = instances(await deps.registry.read());
  for (const r of all) assertNotInProgress(deps, r);
  // every instance's engine connected and answering before anything is removed (exit 4 otherwise, touching nothing)
  const engines = await Promise.all(all.map((r) => deps.remotes.connect(r)));
  const sides = [...new Set(engines.flatMap((on) => (on.side ? [on.side.engine] : [])))];
  await Promise.all(sides.map((e) => e.ping()));
  const previews = await Promise.all(
    all.map((r) =>
      previewDestroy(deps, r, opts).catch((err: unknown) => {
        if (opts.force) return null;
        throw err;
      }),
    ),
  );
  const refused = previews.filter((p): p is DestroyPreview => !!p?.refused);
  if (refused.length && !opts.force) throw dirtyError(refused);
  const out: DestroyResult[] = [];
  for (const [i, rec] of all.entries()) {
    const on = engines[i]!;
    const there = depsFor(deps, { on });
    // a remote instance's slot ports and synced source, read before its directory goes
    const loaded = on.remote ? await loadInstance(there, rec).catch(() => null) : null;
    if (on.remote) await stopSourceWatch(deps, rec.id); // as destroy ID does: nothing is synced after the worktree goes
    out.push(await destroyResolved(there, rec, opts, emit, previews[i] ?? null));
    if (on.remote && loaded) await cleanRemote(on.remote, loaded);
  }
  const links = new Map(engines.flatMap((on) => (on.remote ? [[on.remote.engine, on.remote] as const] : [])));
  for (const link of links.values()) await disconnectIfUnused(deps, link);
  return out;
}
