// prune: reclaim registry entries whose directory is gone, removing what is left of them in Docker; with
// orphans: also remove unregistered sandbox-looking compose projects.
import { existsSync } from 'node:fs';
import type { Deps } from '../deps';
import { noEvents, type EventSink } from '../events';
import { instances } from '../registry';
import { repairInterrupted } from '../recovery';
import type { InstanceRecord } from '../types';
import { findOrphans, groupByProject, type OrphanProject } from './list';

export interface PruneResult {
  pruned: InstanceRecord[];
  removedProjects: string[];
  orphans: OrphanProject[];
}

export async function prune(deps: Deps, opts: { orphans?: boolean } = {}, emit: EventSink = noEvents): Promise<PruneResult> {
  await deps.engine.ping();
  await repairInterrupted(deps, emit);
  const pruned = await deps.registry.update((reg) => {
    const gone = instances(reg).filter((r) => !r.state && !existsSync(r.path));
    for (const g of gone) delete reg.instances[g.id];
    return gone;
  });
  const removedProjects: string[] = [];
  for (const p of pruned) {
    const res = await deps.engine.projectResources(p.id);
    if (res.containers.length || res.volumes.length || res.networks.length) {
      await deps.engine.removeProjectResources(p.id);
      removedProjects.push(p.id);
    }
    await Promise.all([deps.gates.remove(p.id), deps.secrets.remove(p.id)]);
    if (p.kind === 'worktree') await deps.git.worktreePrune(p.repo).catch(() => undefined);
    emit({ type: 'step', instance: p.id, id: 'pruned', label: `Pruned "${p.id}" (slot ${p.slot}; ${p.path} is gone)`, state: 'passed' });
  }
  const reg = await deps.registry.read();
  const orphans = findOrphans(groupByProject(await deps.engine.listContainers({ all: true })), new Set(Object.keys(reg.instances)));
  if (opts.orphans) {
    for (const o of orphans) {
      await deps.engine.removeProjectResources(o.project);
      removedProjects.push(o.project);
      emit({ type: 'step', instance: o.project, id: 'orphan', label: `Removed unregistered project "${o.project}"`, state: 'passed' });
    }
  }
  return { pruned, removedProjects, orphans: opts.orphans ? [] : orphans };
}
