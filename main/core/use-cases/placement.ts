// Which engine an instance runs on (issue 13): `create NAME --engine CONTEXT` and `move ID --engine CONTEXT`
// record it in the registry (v2 `engine`), after checking the context exists and its engine answers (≤ 2 s).
import type { Deps } from '../deps';
import { engineNameOf, ENGINE_PROBE_TIMEOUT_MS, probeEngines, type EnginesPort } from '../engines';
import { SandboxError } from '../errors';
import { resolveInstance, type InstanceRef } from '../resolve';
import { mapPath, parsePathMap } from '../path-map';
import type { InstanceEngine, InstanceRecord, PathMapEntry } from '../../shared/types';
import { checkMappedDir, describeMap } from './remote-prepare';

export function enginesPort(deps: Deps): EnginesPort {
  if (!deps.engines) throw new SandboxError('INTERNAL', 'No engines port in this build');
  return deps.engines;
}

/** The engine named `name` (a docker context, or "default"), checked to exist and to answer; one-line errors. */
export async function chooseEngine(deps: Deps, name: string): Promise<InstanceEngine> {
  const port = enginesPort(deps);
  const targets = port.targets();
  const target = targets.find((t) => t.name === name);
  if (!target) {
    throw new SandboxError('USAGE', `No docker context "${name}" (known: ${targets.map((t) => t.name).join(', ')})`, {
      hint: `Create it first: docker context create ${name} --docker host=ssh://USER@HOST — \`ktrdr-sandbox engines\` lists what is there.`,
    });
  }
  if (target.invalid)
    throw new SandboxError('STATE', `Docker context "${name}" cannot be used: ${target.invalid}`, {
      hint: `Check it with \`docker context inspect ${name}\`.`,
    });
  const [row] = (await probeEngines([target], port.probe, deps.clock, new Set(), ENGINE_PROBE_TIMEOUT_MS)).engines;
  if (!row?.reachable) {
    throw new SandboxError('ENGINE_UNAVAILABLE', `Engine "${name}" (${target.endpoint}) is not reachable: ${row?.error ?? 'no answer'}`, {
      hint: `Check it with \`docker --context ${name} info\` (ssh keys, the host, its Docker daemon).`,
    });
  }
  return { context: name, endpoint: target.endpoint };
}

export interface MoveEngineResult {
  id: string;
  from: string;
  to: string;
  engine: InstanceEngine;
}

/**
 * Record another engine for a stopped instance. Refused while its containers run on the engine it is on now
 * (they would be left behind): `down` first. `force`: do not ask that engine (e.g. it is gone for good).
 */
export async function moveToEngine(
  deps: Deps,
  ref: InstanceRef,
  name: string,
  opts: { force?: boolean; pathMap?: string[] } = {},
): Promise<MoveEngineResult> {
  const rec = await resolveInstance(deps, ref);
  const port = enginesPort(deps);
  const targets = port.targets();
  const from = engineNameOf(rec, targets);
  const chosen = await chooseEngine(deps, name);
  const engine = opts.pathMap?.length ? await withPathMap(deps, chosen, opts.pathMap, rec.id, rec.path) : chosen;
  if (from !== name && !opts.force) {
    const current = targets.find((t) => t.name === from);
    const [row] = current ? (await probeEngines([current], port.probe, deps.clock, new Set([rec.id]))).engines : [];
    if (!row?.reachable) {
      throw new SandboxError(
        'ENGINE_UNAVAILABLE',
        `Cannot check that "${rec.id}" is stopped on engine "${from}": ${row?.error ?? 'the context is gone'}`,
        {
          hint: `Pass --force to move it anyway (containers left on "${from}" are not removed).`,
        },
      );
    }
    if (row.sandboxes.some((s) => s.id === rec.id && s.containers > 0)) {
      throw new SandboxError('STATE', `"${rec.id}" is running on engine "${from}": stop it first (\`ktrdr-sandbox down ${rec.id}\`)`, {
        hint: 'Its containers and volumes stay on the engine they were made on; a move records where the next `up` starts it.',
      });
    }
  }
  await deps.registry.update((reg) => {
    const cur = reg.instances[rec.id];
    if (!cur) throw new SandboxError('NOT_FOUND', `Instance "${rec.id}" vanished from the registry`);
    // a path map replaces the source; without one the source is synced again (noted by the next up)
    const { source: _old, ...kept } = cur.engine ?? { context: null };
    cur.engine = { ...kept, ...engine };
    if (!engine.source && _old?.mode === 'sync') cur.engine.source = _old; // destroy still removes that copy
  });
  return { id: rec.id, from, to: name, engine };
}

/**
 * `--path-map LOCAL=REMOTE…` on `create`/`move` (the source shared by NFS instead of synced): parsed, each LOCAL
 * present here and each REMOTE present on the engine's host (asked over its ssh connection), recorded as the
 * engine's `source`. With the instance's path (move): that path must lie under a LOCAL, mapped to a directory there.
 */
export async function withPathMap(deps: Deps, engine: InstanceEngine, specs: string[], id: string, path?: string): Promise<InstanceEngine> {
  const map = specs.map(parsePathMap);
  for (const m of map)
    if (!deps.files.exists(m.local))
      throw new SandboxError('USAGE', `--path-map: ${m.local} does not exist on this machine`, {
        hint: 'LOCAL is the directory here whose content the engine host sees at REMOTE (an NFS share mounted on both).',
      });
  const probe = { id, path: path ?? map[0]!.local, engine } as InstanceRecord;
  const on = await deps.remotes.connect(probe);
  if (!on.remote)
    throw new SandboxError('USAGE', `--path-map is for an engine on another machine (ssh://); "${on.name}" sees this machine's paths`, {
      hint: 'Leave --path-map out for a local engine.',
    });
  for (const m of map)
    if (!(await on.remote.dirExists(m.remote)))
      throw new SandboxError('STATE', `--path-map: ${m.remote} does not exist on ${on.remote.engine} (${on.remote.endpoint})`, {
        hint: `Mount the share there first (the same content as ${m.local} here), or check the path with \`ssh HOST ls ${m.remote}\`.`,
      });
  if (path) await checkMappedDir(on.remote, path, map, id);
  return mappedEngine({ ...engine, source: { mode: 'path-map', remotePath: map[0]!.remote, map } }, path ?? null, id);
}

/** The path-map source completed for the instance's directory (its mapped path); a directory under no LOCAL is refused. */
export function mappedEngine(engine: InstanceEngine, path: string | null, id: string): InstanceEngine {
  const map: PathMapEntry[] = engine.source?.map ?? [];
  if (path === null || engine.source?.mode !== 'path-map') return engine;
  const remotePath = mapPath(path, map);
  if (remotePath === undefined)
    throw new SandboxError('USAGE', `${path} is under no mapped path (${describeMap(map)}): the engine could not see "${id}"'s source`, {
      hint: 'Map a directory holding it: --path-map LOCAL=REMOTE where LOCAL contains the worktree.',
    });
  return { ...engine, source: { mode: 'path-map', remotePath, localPath: path, map } };
}
