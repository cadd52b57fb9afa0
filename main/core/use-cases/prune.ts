// prune: reclaim registry entries whose directory is gone, removing what is left of them in Docker; with
// orphans: also unregistered projects that are provably ours. Two steps: planPrune shows what would go (the
// CLI prints it and asks, or needs --yes; `--json` without --yes is a dry run), applyPrune does it. Only
// objects labelled with the instance AND this registry's identity are touched; volumes only with `volumes`.
import type { Deps } from '../deps';
import { noEvents, type EventSink } from '../events';
import { existingOwnerId } from '../owner';
import { removeOverrideState } from '../override/state';
import { instances } from '../registry';
import { repairInterrupted } from '../recovery';
import type { InstanceRecord } from '../../shared/types';
import { findOrphans, groupByProject, type OrphanProject } from './list';

export interface PruneOptions {
  orphans?: boolean;
  volumes?: boolean;
}

export interface PruneTarget {
  project: string;
  /** A registry entry whose directory is gone (else: an unregistered project of ours). */
  registered: boolean;
  containers: number;
  networks: number;
  /** Named volumes removed (only with --volumes). */
  volumes: number;
  /** Named volumes kept (no --volumes). */
  keptVolumes: number;
  /** Objects of the project without our labels: never removed. */
  unlabelled: number;
}

export interface PruneResult {
  /** true: nothing was done, this is what would be (`--json` without `--yes`, or the answer was no). */
  dryRun: boolean;
  targets: PruneTarget[];
  /** Registry entries forgotten (dry run: that would be). */
  pruned: InstanceRecord[];
  removedProjects: string[];
  /** Unregistered projects of ours left alone (no --orphans). */
  orphans: OrphanProject[];
}

export async function planPrune(deps: Deps, opts: PruneOptions = {}, emit: EventSink = noEvents): Promise<PruneResult> {
  await deps.engine.ping();
  await repairInterrupted(deps, emit);
  const reg = await deps.registry.read();
  const owner = existingOwnerId(deps);
  const entries = instances(reg).filter((r) => !r.state && !deps.files.exists(r.path)); // state: a crash being repaired
  const orphans = findOrphans(groupByProject(await deps.engine.listContainers({ all: true })), new Set(Object.keys(reg.instances)), owner);
  const projects = [
    ...entries.map((e) => ({ project: e.id, registered: true })),
    ...(opts.orphans ? orphans.map((o) => ({ project: o.project, registered: false })) : []),
  ];
  const targets = await Promise.all(
    projects.map(async ({ project, registered }): Promise<PruneTarget> => {
      const all = await deps.engine.projectResources(project);
      const ours = owner ? await deps.engine.projectResources(project, { owner }) : { containers: [], networks: [], volumes: [] };
      const total = all.containers.length + all.networks.length + all.volumes.length;
      const mine = ours.containers.length + ours.networks.length + ours.volumes.length;
      return {
        project,
        registered,
        containers: ours.containers.length,
        networks: ours.networks.length,
        volumes: opts.volumes ? ours.volumes.length : 0,
        keptVolumes: opts.volumes ? 0 : ours.volumes.length,
        unlabelled: total - mine,
      };
    }),
  );
  return { dryRun: true, targets, pruned: entries, removedProjects: [], orphans: opts.orphans ? [] : orphans };
}

export async function applyPrune(deps: Deps, plan: PruneResult, opts: PruneOptions = {}, emit: EventSink = noEvents): Promise<PruneResult> {
  const owner = existingOwnerId(deps);
  const wanted = new Map(plan.pruned.map((p) => [p.id, p]));
  const pruned = await deps.registry.update((reg) => {
    const gone: InstanceRecord[] = [];
    for (const r of instances(reg)) {
      const w = wanted.get(r.id);
      if (w && w.path === r.path && !r.state && !deps.files.exists(r.path)) {
        delete reg.instances[r.id];
        gone.push(r);
      }
    }
    return gone;
  });
  const removedProjects: string[] = [];
  for (const t of plan.targets) {
    if (t.registered && !pruned.some((p) => p.id === t.project)) continue; // changed meanwhile: left alone
    if (owner && t.containers + t.networks + t.volumes + t.keptVolumes > 0) {
      await deps.engine.removeProjectResources(t.project, { owner, volumes: !!opts.volumes });
      removedProjects.push(t.project);
      if (!t.registered)
        emit({ type: 'step', instance: t.project, id: 'orphan', label: `Removed unregistered project "${t.project}"`, state: 'passed' });
    }
  }
  for (const p of pruned) {
    await Promise.all([deps.gates.remove(p.id), deps.secrets.remove(p.id)]);
    await removeOverrideState(deps.files, deps.home, p.id);
    if (p.kind === 'worktree') await deps.git.worktreePrune(p.repo).catch(() => undefined);
    emit({ type: 'step', instance: p.id, id: 'pruned', label: `Pruned "${p.id}" (slot ${p.slot}; ${p.path} is gone)`, state: 'passed' });
  }
  return { ...plan, dryRun: false, pruned, removedProjects };
}

/** Plan and apply at once (callers that already have the user's consent). */
export async function prune(deps: Deps, opts: PruneOptions = {}, emit: EventSink = noEvents): Promise<PruneResult> {
  return applyPrune(deps, await planPrune(deps, opts, emit), opts, emit);
}

/** One line per target, for the CLI's confirmation and dry run. */
export function describePlan(plan: PruneResult): string[] {
  const lines: string[] = [];
  for (const p of plan.pruned) lines.push(`registry entry "${p.id}" (slot ${p.slot}; ${p.path} is gone)`);
  for (const t of plan.targets) {
    const what = [`${t.containers} container(s)`, `${t.networks} network(s)`, t.volumes ? `${t.volumes} volume(s)` : '']
      .filter(Boolean)
      .join(', ');
    const kept = [
      t.keptVolumes ? `${t.keptVolumes} volume(s) kept (--volumes removes them)` : '',
      t.unlabelled ? `${t.unlabelled} unlabelled object(s), not ours to remove` : '',
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(`${t.registered ? 'instance' : 'unregistered project'} "${t.project}": ${what}${kept ? ` — ${kept}` : ''}`);
  }
  return lines;
}
