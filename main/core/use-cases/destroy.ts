// destroy: by registry identity. Refuses (touching nothing) on uncommitted or unpushed work unless forced;
// then removes containers, volumes and networks, the worktree (through git) and the registry entry.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Deps } from '../deps';
import { ENV_FILE, envFilePath } from '../envfile';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { instances } from '../registry';
import { loadInstance, resolveInstance, secretTarget, type InstanceRef } from '../resolve';
import { ownerId } from '../owner';
import { removeOverrideState } from '../override/state';
import { releaseSharedLinks } from './isolation-links';
import type { InstanceRecord } from '../types';
import type { DestroyResult } from '../results';
export type { DestroyResult } from '../results';

export interface DestroyOptions {
  force?: boolean;
  keepWorktree?: boolean;
}


export interface WorkAtRisk {
  id: string;
  path: string;
  dirtyFiles: string[];
  unpushed: number;
  against: string;
}

/** What would be lost by deleting this instance's directory (nothing when it is gone). */
export async function workAtRisk(deps: Deps, rec: InstanceRecord): Promise<WorkAtRisk | null> {
  if (!existsSync(rec.path)) return null;
  const [status, unpushed] = await Promise.all([deps.git.status(rec.path), deps.git.unpushed(rec.path)]);
  const dirtyFiles = status.files.filter((l) => !l.endsWith(` ${ENV_FILE}`) && l.slice(3) !== ENV_FILE);
  if (!dirtyFiles.length && unpushed.count === 0) return null;
  return { id: rec.id, path: rec.path, dirtyFiles, unpushed: unpushed.count, against: unpushed.against };
}

export function dirtyError(risks: WorkAtRisk[]): SandboxError {
  const lines = risks.flatMap((r) => [
    `  ${r.id} at ${r.path}:`,
    ...(r.dirtyFiles.length ? [`    ${r.dirtyFiles.length} uncommitted change(s): ${r.dirtyFiles.slice(0, 5).map((f) => f.slice(3)).join(', ')}${r.dirtyFiles.length > 5 ? ', …' : ''}`] : []),
    ...(r.unpushed ? [`    ${r.unpushed} commit(s) not in ${r.against}`] : []),
  ]);
  return new SandboxError('DIRTY_WORK', `Refusing to destroy: work would be lost\n${lines.join('\n')}`, {
    hint: 'Commit and push, or pass --force to destroy anyway. Nothing was touched.',
    details: risks,
  });
}

export async function destroyInstance(deps: Deps, ref: InstanceRef, opts: DestroyOptions = {}, emit: EventSink = noEvents): Promise<DestroyResult> {
  const rec = await resolveInstance(deps, ref);
  await deps.engine.ping();
  if (!opts.force && !opts.keepWorktree) {
    const risk = await workAtRisk(deps, rec);
    if (risk) throw dirtyError([risk]);
  }
  return destroyResolved(deps, rec, opts, emit);
}

export async function destroyAll(deps: Deps, opts: DestroyOptions = {}, emit: EventSink = noEvents): Promise<DestroyResult[]> {
  const reg = await deps.registry.read();
  const all = instances(reg);
  await deps.engine.ping();
  if (!opts.force && !opts.keepWorktree) {
    const risks = (await Promise.all(all.map((r) => workAtRisk(deps, r)))).filter((r): r is WorkAtRisk => r !== null);
    if (risks.length) throw dirtyError(risks);
  }
  const out: DestroyResult[] = [];
  for (const rec of all) out.push(await destroyResolved(deps, rec, opts, emit));
  return out;
}

async function destroyResolved(deps: Deps, rec: InstanceRecord, opts: DestroyOptions, emit: EventSink): Promise<DestroyResult> {
  const id = rec.id;
  const dirExists = existsSync(rec.path);
  emit({ type: 'step', instance: id, id: 'target', label: `Destroying "${id}" (slot ${rec.slot}) at ${rec.path}`, state: 'info' });

  await step(emit, id, 'containers', 'Containers, volumes and networks removed', async () => {
    if (dirExists) {
      const ctx = await loadInstance(deps, rec);
      try {
        const target = await secretTarget(deps, ctx);
        await releaseSharedLinks(deps, ctx);
        await deps.compose.down(target, { volumes: true });
      } catch (err) {
        emit({ type: 'step', instance: id, id: 'compose-down', label: `compose down failed, removing by label: ${(err as Error).message.split('\n')[0]}`, state: 'warning' });
      }
    }
    // the fallback removes only what is provably ours: labelled with this instance and this registry's identity
    const scope = { owner: ownerId(deps.home) };
    const left = await deps.engine.projectResources(id, scope);
    if (left.containers.length || left.volumes.length || left.networks.length) await deps.engine.removeProjectResources(id, scope);
    const still = await deps.engine.projectResources(id, scope);
    if (still.containers.length || still.volumes.length || still.networks.length) {
      throw new SandboxError('STATE', `Could not remove everything of project "${id}": ${JSON.stringify(still)}`);
    }
    const unlabelled = await deps.engine.projectResources(id);
    const count = unlabelled.containers.length + unlabelled.volumes.length + unlabelled.networks.length;
    if (count) {
      emit({ type: 'step', instance: id, id: 'unlabelled', label: `${count} object(s) of compose project "${id}" without our labels left alone (not provably ours): ${[...unlabelled.containers.map((c) => c.slice(0, 12)), ...unlabelled.networks, ...unlabelled.volumes].join(', ')}`, state: 'warning' });
    }
  });

  let worktreeRemoved = false;
  let keptDirectory = dirExists;
  if (dirExists) {
    await rm(envFilePath(rec.path), { force: true });
    if (rec.kind === 'worktree' && !opts.keepWorktree) {
      await step(emit, id, 'worktree', `Worktree removed through git: ${rec.path}`, async () => {
        await deps.git.worktreeRemove(rec.repo, rec.path, { force: true });
        await deps.git.worktreePrune(rec.repo);
      });
      worktreeRemoved = true;
      keptDirectory = false;
    } else {
      emit({ type: 'step', instance: id, id: 'kept', label: `Directory kept: ${rec.path}${rec.kind === 'clone' ? ' (a clone is never deleted)' : ''}`, state: 'info' });
    }
  } else if (rec.kind === 'worktree') {
    await deps.git.worktreePrune(rec.repo).catch(() => undefined);
  }

  await deps.registry.update((reg) => {
    if (reg.instances[id]?.path === rec.path) delete reg.instances[id];
  });
  await Promise.all([deps.gates.remove(id), deps.secrets.remove(id)]);
  removeOverrideState(deps.home, id);
  emit({ type: 'step', instance: id, id: 'released', label: `Slot ${rec.slot} released`, state: 'passed' });
  return { id, path: rec.path, worktreeRemoved, keptDirectory, branchKept: rec.kind === 'worktree' ? rec.branch : null };
}
