// Repairing what a killed create or destroy left behind. Both write an intent into the registry before they
// touch anything (`state: creating|destroying`, with their pid); the next command that finds such an entry
// whose process is gone finishes the job:
//   creating   → rolled back: the private staging checkout is deleted; a worktree already moved into place is
//                deleted only when it holds nothing but what git checked out (and our own files) — otherwise
//                it is kept and registered, with a warning. Never a file lost.
//   destroying → finished: containers, volumes, the directory (after the same risk check, unless the destroy
//                was forced), the entry. When the check now finds work, the entry is settled instead.
import { basename, dirname, join } from 'node:path';
import type { Deps } from './deps';
import { classifyRisk, describeRiskFiles } from './destroy-risk';
import type { EventSink } from './events';
import { noEvents } from './events';
import { interrupted, ownerAlive } from './liveness';
import { canonical } from './resolve';
import type { InstanceRecord } from '../shared/types';
import { destroyResolved, previewDestroy, worktreeLinkOk } from './use-cases/destroy-steps';

/** Prefix of the hidden folder beside the final directory where `create` checks a worktree out first. */
export const STAGING_PREFIX = '.ktrdr-sandbox-creating--';

/**
 * Where `create` checks the worktree out before moving it into place: a folder of its own per name (reserved by
 * the intent record, so no two creates share it), holding a directory of the final name (git names the
 * worktree's metadata after it).
 */
export function stagingPath(path: string): string {
  return join(dirname(path), `${STAGING_PREFIX}${basename(path)}`, basename(path));
}

export { interrupted }; // (in liveness.ts: `list` checks for one without loading the repair)

/**
 * Finish or roll back every interrupted create/destroy. Cheap when there is none (one registry read).
 * Failures are reported as warnings and leave the entry for the next command: never thrown.
 */
export async function repairInterrupted(deps: Deps, emit: EventSink = noEvents): Promise<string[]> {
  const stuck = interrupted(deps, Object.values((await deps.registry.read()).instances));
  const repaired: string[] = [];
  for (const rec of stuck) {
    try {
      const claimed = await claim(deps, rec);
      if (!claimed) continue;
      if (rec.state === 'creating') await rollBackCreate(deps, claimed, emit);
      else await finishDestroy(deps, claimed, emit);
      repaired.push(rec.id);
    } catch (err) {
      emit({
        type: 'step',
        instance: rec.id,
        id: 'repair',
        label: `Could not repair the interrupted ${rec.state === 'creating' ? 'create' : 'destroy'} of "${rec.id}": ${(err as Error).message.split('\n')[0]}`,
        state: 'warning',
      });
    }
  }
  return repaired;
}

/** Take the entry over (our pid), unless another command did first. */
async function claim(deps: Deps, rec: InstanceRecord): Promise<InstanceRecord | null> {
  return deps.registry.update((reg) => {
    const cur = reg.instances[rec.id];
    if (!cur || cur.path !== rec.path || cur.state !== rec.state || cur.pid !== rec.pid || ownerAlive(deps.env, cur.pid, cur.host))
      return null;
    cur.pid = deps.env.pid;
    cur.host = deps.env.hostname();
    return { ...cur };
  });
}

async function forget(deps: Deps, rec: InstanceRecord): Promise<void> {
  await deps.registry.update((reg) => {
    if (reg.instances[rec.id]?.path === rec.path && reg.instances[rec.id]?.state) delete reg.instances[rec.id];
  });
}

async function settle(deps: Deps, rec: InstanceRecord): Promise<void> {
  await deps.registry.update((reg) => {
    const cur = reg.instances[rec.id];
    if (cur?.path !== rec.path) return;
    delete cur.state;
    delete cur.pid;
    delete cur.host;
    delete cur.force;
  });
}

async function rollBackCreate(deps: Deps, rec: InstanceRecord, emit: EventSink): Promise<void> {
  const staging = stagingPath(rec.path);
  // Our private checkout, never handed to anyone: removed whole — its git metadata too, even when the folder
  // is already gone (a `worktree add` killed early leaves it locked, which only a forced removal undoes).
  await deps.git.worktreeRemove(rec.repo, staging, { force: true }).catch(() => undefined);
  await deps.files.remove(staging);
  await deps.files.removeEmptyDir(dirname(staging)); // ours alone; only when empty
  if (deps.files.exists(rec.path)) {
    const ours =
      worktreeLinkOk(deps.files, rec.path) &&
      canonical((await deps.git.topLevel(rec.path)) ?? '', deps.files) === canonical(rec.path, deps.files);
    if (!ours) {
      // create only ever moves a finished checkout here: something else made this directory. Not ours to touch.
      emit({
        type: 'step',
        instance: rec.id,
        id: 'repair',
        label: `Interrupted create of "${rec.id}": ${rec.path} is not its worktree, left alone`,
        state: 'warning',
      });
    } else {
      const risk = classifyRisk(await deps.git.statusAll(rec.path), []);
      if (risk.atRisk.length) {
        await settle(deps, rec);
        emit({
          type: 'step',
          instance: rec.id,
          id: 'repair',
          label: `Interrupted create of "${rec.id}" kept (its directory holds work: ${describeRiskFiles(risk.atRisk, 3)})`,
          state: 'warning',
        });
        return;
      }
      await deps.git.worktreeRemove(rec.repo, rec.path, { force: true }).catch(() => undefined);
      await deps.files.removeEmptyDir(rec.path);
    }
  }
  await deps.git.worktreePrune(rec.repo).catch(() => undefined);
  await Promise.all([deps.gates.remove(rec.id), deps.secrets.remove(rec.id)]);
  await forget(deps, rec);
  emit({
    type: 'step',
    instance: rec.id,
    id: 'repair',
    label: `Rolled back the interrupted create of "${rec.id}" (slot ${rec.slot} free again)`,
    state: 'passed',
  });
}

async function finishDestroy(base: Deps, rec: InstanceRecord, emit: EventSink): Promise<void> {
  // its containers and volumes are on its own engine (a remote one: there; unreachable: the entry waits)
  const on = await base.remotes.connect(rec);
  const deps: Deps = on.side ? { ...base, ...on.side } : base;
  if (!rec.force) {
    const p = await previewDestroy(deps, rec);
    if (p.refused) {
      await settle(deps, rec);
      emit({
        type: 'step',
        instance: rec.id,
        id: 'repair',
        label: `Interrupted destroy of "${rec.id}" not finished: work would be lost (${describeRiskFiles(p.atRisk, 3)}); destroy it again to see it`,
        state: 'warning',
      });
      return;
    }
    await destroyResolved(deps, rec, {}, emit, p);
  } else {
    await destroyResolved(deps, rec, { force: true }, emit, null);
  }
  emit({ type: 'step', instance: rec.id, id: 'repair', label: `Finished the interrupted destroy of "${rec.id}"`, state: 'passed' });
}
