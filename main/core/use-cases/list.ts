// list: every registered instance with its status read from Docker labels in ONE engine call, reconciled
// with the filesystem; also running compose projects that look like sandboxes but are not registered.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Deps } from '../deps';
import { ENV_FILE } from '../envfile';
import { defaultServices, readComposeModel, type ComposeModel } from '../compose-model';
import { instances } from '../registry';
import { loadInstance } from '../resolve';
import { buildView, type InstanceView } from '../views';
import type { ContainerInfo, InstanceRecord } from '../types';
import type { OrphanProject, ListResult } from '../results';
import { byText } from '../order';
export type { OrphanProject, ListResult } from '../results';

export async function listInstances(deps: Deps, opts: { prune?: boolean } = {}): Promise<ListResult> {
  const [reg, containers] = await Promise.all([deps.registry.read(), deps.engine.listContainers({ all: true })]);
  const byProject = groupByProject(containers);
  const records = instances(reg);
  const missing = records.filter((r) => !existsSync(r.path));
  const prunable = missing.filter((r) => !byProject.has(r.id));
  const stale = missing.filter((r) => byProject.has(r.id)).map((r) => r.id);
  let pruned: InstanceRecord[] = [];
  if (opts.prune !== false && prunable.length) {
    pruned = await deps.registry.update((r) => {
      const gone: InstanceRecord[] = [];
      for (const p of prunable) {
        const cur = r.instances[p.id];
        if (cur && cur.path === p.path && !existsSync(cur.path)) {
          delete r.instances[p.id];
          gone.push(cur);
        }
      }
      return gone;
    });
  }
  const keep = records.filter((r) => !pruned.some((p) => p.id === r.id));
  const views = await Promise.all(keep.map((rec) => viewOf(deps, rec, byProject.get(rec.id) ?? [])));
  return { instances: views, pruned, stale, orphans: findOrphans(byProject, new Set(records.map((r) => r.id))) };
}

export async function viewOf(deps: Deps, rec: InstanceRecord, containers: ContainerInfo[]): Promise<InstanceView> {
  const dirExists = existsSync(rec.path);
  const ctx = await loadInstance(deps, rec);
  let expected = 0;
  let model: ComposeModel | null = null;
  if (dirExists) {
    try {
      model = await readComposeModel(rec.path, ctx.manifest.compose.files, deps.composeModels);
      expected = defaultServices(model).length;
    } catch {
      expected = 0;
    }
  }
  return buildView({ rec, manifest: ctx.manifest, vars: ctx.vars, containers, expectedServices: expected, dirExists, lastGate: await deps.gates.read(rec.id), model });
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

/** Compose projects that are not registered but look like sandboxes: a .env.sandbox in (or gone with) their dir, or a "--" name. */
export function findOrphans(byProject: Map<string, ContainerInfo[]>, registered: Set<string>): OrphanProject[] {
  const out: OrphanProject[] = [];
  for (const [project, list] of byProject) {
    if (registered.has(project)) continue;
    const workingDir = list.find((c) => c.workingDir)?.workingDir ?? null;
    const looksLike =
      project.includes('--') || (workingDir !== null && (existsSync(join(workingDir, ENV_FILE)) || !existsSync(workingDir)));
    if (!looksLike) continue;
    out.push({ project, containers: list.length, running: list.filter((c) => c.state === 'running').length, workingDir });
  }
  return out.sort((a, b) => byText(a.project, b.project));
}
