// One instance, resolved once per command: its registry entry (and the registry read to find it), manifest,
// variables, compose project and files, compose model and engine. The steps of a command (up: lint, port check,
// override, compose, gate, description; status; evidence) take this value and read none of it again.
import { composeFilePaths, type ComposeModel } from './compose-model';
import type { Deps, Engine, Files } from './deps';
import { SandboxError } from './errors';
import { envFilePath } from './envfile';
import { overridePath } from './override/state';
import { composeModelOf, loadInstance, resolveInstance, type InstanceRef, type LoadedInstance } from './resolve';
import type { InstanceRecord, RegistryData } from './types';

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
  /** The engine the instance runs on: today the one engine of Deps for every instance (issue 13: its own). */
  engine: Engine;
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
    engine: deps.engine,
  };
}

/** The compose model, or null when it cannot be read (links of absent services hidden, and the like). */
export function modelOrNull(ctx: Pick<InstanceContext, 'model'>): Promise<ComposeModel | null> {
  return ctx.model.catch(() => null);
}

/** Deps whose engine is the instance's (the same object today; issue 13 gives an instance its own engine). */
export function depsFor(deps: Deps, ctx: Pick<InstanceContext, 'engine'>): Deps {
  return ctx.engine === deps.engine ? deps : { ...deps, engine: ctx.engine };
}

/** The compose files' texts, read (never parsed): the lint sees ${VAR:-default}s and quotes lines from them. */
export async function composeTexts(paths: string[], files: Pick<Files, 'readText'>): Promise<string[]> {
  return paths.map((f) => {
    const text = files.readText(f);
    if (text === undefined) throw new SandboxError('STATE', `Compose file not found: ${f}`);
    return text;
  });
}
