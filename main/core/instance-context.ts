// One instance, resolved once per command: its registry entry (and the registry read to find it), manifest,
// variables, compose project and files, compose model and engine. The steps of a command (up: lint, port check,
// override, compose, gate, description; status; evidence) take this value and read none of it again.
import { composeFilePaths, type ComposeModel } from './compose-model';
import type { Deps, Engine, Files } from './deps';
import { SandboxError } from './errors';
import { envFilePath } from './envfile';
import { overridePath } from './override/paths';
import type { InstanceEngine } from './remotes';
import { composeModelOf, loadInstance, resolveInstance, type InstanceRef, type LoadedInstance } from './resolve';
import type { InstanceRecord, RegistryData } from '../shared/types';
import { slotPorts } from './ports';

/** The instance's compose project: what every compose call of it names. */
export interface ComposeProject {
  project: string;
  projectDir: string;
  /** The compose files the manifest names, absolute, in order. */
  files: string[];
  /** The generated per-instance override, always passed last (written by secretTarget before compose runs). */
  override: string;
  envFile: string;
}

export interface InstanceContext extends LoadedInstance {
  /** The registry as read to resolve the instance: the other instances' slots and names (port conflicts). */
  registry: RegistryData;
  /** Whether the instance's directory exists (a gone one gets the preset manifest and no compose model). */
  dirExists: boolean;
  compose: ComposeProject;
  /**
   * The compose files parsed once, through the model cache. Started when the context is resolved, so that it
   * overlaps with what the command does next; rejects (never unhandled) when a file is missing or not YAML.
   */
  model: Promise<ComposeModel>;
  /** The engine the instance runs on (its registry entry's; the base deps' one for a local instance). */
  engine: Engine;
  /** That engine, connected: the Deps members acting on it and, for a remote one, its ssh connection. */
  on: InstanceEngine;
}

/** Read the registry once, find the instance, load its manifest and start parsing its compose files. */
export async function resolveContext(deps: Deps, ref: InstanceRef): Promise<InstanceContext> {
  const registry = await deps.registry.read();
  return contextOf(deps, await resolveInstance(deps, ref, registry), registry);
}

/** The context of a record already found in `registry`. */
export async function contextOf(deps: Deps, rec: InstanceRecord, registry: RegistryData): Promise<InstanceContext> {
  const dirExists = deps.files.exists(rec.path);
  const loaded = await loadInstance(deps, rec, dirExists);
  const model = composeModelOf(loaded, deps);
  model.catch(() => undefined); // awaited by the steps that need it; a failure is theirs to report
  const on = await deps.remotes.connect(rec); // overlaps with the parse
  await keepForwards(on, loaded);
  return {
    ...loaded,
    registry,
    dirExists,
    compose: {
      project: rec.id,
      projectDir: rec.path,
      files: composeFilePaths(rec.path, loaded.manifest.compose.files),
      override: overridePath(deps.home, rec.id),
      envFile: envFilePath(rec.path),
    },
    model,
    engine: on.side?.engine ?? deps.engine,
    on,
  };
}

/** Links, `exec` and the gate reach a remote instance through the forwards: bring them back with the connection. */
async function keepForwards(on: InstanceEngine, ctx: LoadedInstance): Promise<void> {
  // a port taken here: `up` says so with its pre-check; the other commands work without the forward
  await on.remote?.forwardPorts(slotPorts(ctx.manifest, ctx.rec.slot).map((p) => p.port)).catch(() => undefined);
}

/** The compose model, or null when it cannot be read (links of absent services hidden, and the like). */
export function modelOrNull(ctx: Pick<InstanceContext, 'model'>): Promise<ComposeModel | null> {
  return ctx.model.catch(() => null);
}

/** Deps acting on the instance's engine (the same object for an instance on the base deps' engine). */
export function depsFor(deps: Deps, ctx: Pick<InstanceContext, 'on'>): Deps {
  return ctx.on.side ? { ...deps, ...ctx.on.side } : deps;
}

/**
 * For the commands that need no whole context (down, destroy, run, logs, exec): the instance's record and Deps
 * acting on its engine, connected, with its ports forwarded again when it runs on a remote one.
 */
export async function onInstanceEngine(deps: Deps, ref: InstanceRef): Promise<{ rec: InstanceRecord; deps: Deps; on: InstanceEngine }> {
  const rec = await resolveInstance(deps, ref);
  const on = await deps.remotes.connect(rec);
  if (on.remote) await keepForwards(on, await loadInstance(deps, rec));
  return { rec, deps: depsFor(deps, { on }), on };
}

/** The compose files' texts, read (never parsed): the lint sees ${VAR:-default}s and quotes lines from them. */
export async function composeTexts(paths: string[], files: Pick<Files, 'readText'>): Promise<string[]> {
  return paths.map((f) => {
    const text = files.readText(f);
    if (text === undefined) throw new SandboxError('STATE', `Compose file not found: ${f}`);
    return text;
  });
}
