// list: every registered instance with its status read from Docker labels in ONE engine call, reconciled
// with the filesystem; also running compose projects that look like sandboxes but are not registered.
import { join } from 'node:path';
import type { Deps, Files } from '../deps';
import { ENV_FILE } from '../envfile';
import { defaultServices, readComposeModel, type ComposeModel } from '../compose-model';
import { instances } from '../registry';
import { loadInstance } from '../resolve';
import { buildView, type InstanceView } from '../views';
import type { ContainerInfo, InstanceRecord, RegistryData } from '../../shared/types';
import type { OrphanProject, ListResult } from '../../shared/results';
import { byText } from '../order';
import { existingOwnerId, isOurs } from '../owner';
import type { EventSink } from '../events';
import { interrupted } from '../liveness';
export type { OrphanProject, ListResult } from '../../shared/results';

/** What list starts from: the registry as read and the current engine's listing (already on its way). */
export interface ListStart {
  reg: RegistryData;
  containers: Promise<ContainerInfo[]>;
}

export interface ListOptions {
  prune?: boolean;
  emit?: EventSink;
  /** The registry and the listing when the caller has them already (listAcrossEngines); else both are read here. */
  start?: ListStart;
  /** Containers other engines listed (listAcrossEngines), added to the current engine's. */
  elsewhere?: ContainerInfo[];
}

/** The registry and the current engine's listing, read at once (the listing needs nothing of the registry). */
export function startList(deps: Pick<Deps, 'registry' | 'engine'>): Promise<ListStart> {
  const containers = deps.engine.listContainers({ all: true });
  containers.catch(() => undefined); // awaited by the caller; a registry failure must not leave it unhandled
  return deps.registry.read().then((reg) => ({ reg, containers }));
}

export async function listInstances(deps: Deps, opts: ListOptions = {}): Promise<ListResult> {
  const start = opts.start ?? (await startList(deps));
  let reg = start.reg;
  let containers = await start.containers;
  if (interrupted(deps, Object.values(reg.instances)).length) {
    // a killed create/destroy: finish or roll it back first (rare, so the fast path stays one read)
    await (await import('../recovery')).repairInterrupted(deps, opts.emit); // loaded only then
    const again = await startList(deps);
    [reg, containers] = [again.reg, await again.containers];
  }
  if (opts.elsewhere) containers = [...containers, ...opts.elsewhere];
  const byProject = groupByProject(containers);
  // an entry being created right now is not an instance yet; one being destroyed still is
  const records = instances(reg).filter((r) => r.state !== 'creating');
  const missing = records.filter((r) => !deps.files.exists(r.path) && !r.state);
  const prunable = missing.filter((r) => !byProject.has(r.id));
  const stale = missing.filter((r) => byProject.has(r.id)).map((r) => r.id);
  let pruned: InstanceRecord[] = [];
  if (opts.prune !== false && prunable.length) {
    pruned = await deps.registry.update((r) => {
      const gone: InstanceRecord[] = [];
      for (const p of prunable) {
        const cur = r.instances[p.id];
        if (cur && cur.path === p.path && !cur.state && !deps.files.exists(cur.path)) {
          delete r.instances[p.id];
          gone.push(cur);
        }
      }
      return gone;
    });
  }
  const keep = records.filter((r) => !pruned.some((p) => p.id === r.id));
  const views = await Promise.all(keep.map((rec) => viewOf(deps, rec, byProject.get(rec.id) ?? [])));
  const registered = new Set(Object.keys(reg.instances));
  const unlabelled = findUnlabelled(deps.files, byProject, registered);
  return {
    instances: views,
    pruned,
    stale,
    orphans: findOrphans(byProject, registered, existingOwnerId(deps)),
    ...(unlabelled.length ? { unlabelled } : {}),
  };
}

export async function viewOf(deps: Deps, rec: InstanceRecord, containers: ContainerInfo[]): Promise<InstanceView> {
  const dirExists = deps.files.exists(rec.path);
  const ctx = await loadInstance(deps, rec);
  let expected = 0;
  let model: ComposeModel | null = null;
  if (dirExists) {
    try {
      model = await readComposeModel(rec.path, ctx.manifest.compose.files, deps.composeModels, deps.files);
      expected = defaultServices(model).length;
    } catch {
      expected = 0;
    }
  }
  const view = buildView({
    rec,
    manifest: ctx.manifest,
    vars: ctx.vars,
    containers,
    expectedServices: expected,
    dirExists,
    lastGate: await deps.gates.read(rec.id),
    model,
  });
  // a remote instance's source sync (its watcher's state file; none for an NFS path map), as status shows it
  if (rec.engine?.context && rec.engine.source?.mode !== 'path-map') {
    const sync = deps.remotes.sync.read(rec.id);
    if (sync) view.sync = sync;
  }
  return view;
}

export function groupByProject(containers: ContainerInfo[]): Map<string, ContainerInfo[]> {
  const m = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    if (c.oneOff) continue;
    const list = m.get(c.project) ?? [];
    list.push(c);
    m.set(c.project, list);
  }
  return m;
}

/**
 * Compose projects that are not registered but provably ours: their containers carry our instance label (naming
 * the project) and THIS registry's identity. Anything else (another user's or another HOME's instances, any
 * other compose project) is never offered for removal, whatever its name.
 */
export function findOrphans(byProject: Map<string, ContainerInfo[]>, registered: Set<string>, owner: string | null): OrphanProject[] {
  const out: OrphanProject[] = [];
  for (const [project, list] of byProject) {
    if (registered.has(project)) continue;
    if (!list.some((c) => isOurs(c, owner))) continue;
    out.push(orphanOf(project, list));
  }
  return out.sort((a, b) => byText(a.project, b.project));
}

/**
 * Unregistered projects that look like sandboxes of an earlier version (a .env.sandbox in, or gone with, their
 * directory, or a "--" name) but carry no ownership label at all: mentioned by `list`, never removed.
 */
export function findUnlabelled(
  files: Pick<Files, 'exists'>,
  byProject: Map<string, ContainerInfo[]>,
  registered: Set<string>,
): OrphanProject[] {
  const out: OrphanProject[] = [];
  for (const [project, list] of byProject) {
    if (registered.has(project) || list.some((c) => c.owner !== undefined)) continue;
    const workingDir = list.find((c) => c.workingDir)?.workingDir ?? null;
    const looksLike =
      project.includes('--') || (workingDir !== null && (files.exists(join(workingDir, ENV_FILE)) || !files.exists(workingDir)));
    if (looksLike) out.push(orphanOf(project, list));
  }
  return out.sort((a, b) => byText(a.project, b.project));
}

function orphanOf(project: string, list: ContainerInfo[]): OrphanProject {
  const workingDir = list.find((c) => c.workingDir)?.workingDir ?? null;
  return { project, containers: list.length, running: list.filter((c) => c.state === 'running').length, workingDir };
}
