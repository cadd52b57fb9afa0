// Which engine an instance runs on (issue 13): `create NAME --engine CONTEXT` and `move ID --engine CONTEXT`
// record it in the registry (v2 `engine`), after checking the context exists and its engine answers (≤ 2 s).
import type { Deps } from '../deps';
import { engineNameOf, ENGINE_PROBE_TIMEOUT_MS, probeEngines, type EnginesPort } from '../engines';
import { SandboxError } from '../errors';
import { resolveInstance, type InstanceRef } from '../resolve';
import type { InstanceEngine } from '../types';

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
export async function moveToEngine(deps: Deps, ref: InstanceRef, name: string, opts: { force?: boolean } = {}): Promise<MoveEngineResult> {
  const rec = await resolveInstance(deps, ref);
  const port = enginesPort(deps);
  const targets = port.targets();
  const from = engineNameOf(rec, targets);
  const engine = await chooseEngine(deps, name);
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
    cur.engine = { ...cur.engine, ...engine };
  });
  return { id: rec.id, from, to: name, engine };
}
