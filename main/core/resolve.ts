// Finding the instance a command is about, loading what it needs, and self-healing .env.sandbox.
import { dirname, join } from 'node:path';
import { readComposeModel, type ComposeModel } from './compose-model';
import type { ComposeTarget, Deps, Files } from './deps';
import { ENV_FILE, envFileChanges, envFilePath, instanceVariables, parseEnvFile, renderEnvFile, handEdited } from './envfile';
import type { EventSink } from './events';
import { SandboxError } from './errors';
import { loadManifest } from './manifest';
import type { Manifest } from './manifest-schema';
import { overlayMounts } from './override/overlay';
import { instanceContaining, instances } from './registry';
import type { InstanceRecord, RegistryData } from '../shared/types';

/** An instance named by id, or "the instance holding this directory". */
export type InstanceRef = { id: string } | { cwd: string };

/** The canonical path (symlinks resolved), or the path itself when it cannot be resolved. */
export function canonical(dir: string, files: Pick<Files, 'realpath'>): string {
  return files.realpath(dir) ?? dir;
}

/** Walk up from dir to the first directory holding .env.sandbox. */
export function findEnvFileUp(dir: string, files: Pick<Files, 'exists'>): string | null {
  let cur = dir;
  for (;;) {
    if (files.exists(join(cur, ENV_FILE))) return cur;
    const parent = dirname(cur);
    if (parent === cur) return null;
    cur = parent;
  }
}

export async function resolveInstance(deps: Deps, ref: InstanceRef, reg?: RegistryData): Promise<InstanceRecord> {
  const registry = reg ?? (await deps.registry.read());
  if ('id' in ref) {
    const rec = registry.instances[ref.id];
    if (!rec) {
      const known = instances(registry).map((i) => i.id);
      throw new SandboxError('NOT_FOUND', `No instance "${ref.id}" in the registry`, {
        hint: known.length ? `Known instances: ${known.join(', ')}` : 'No instance is registered yet: `ktrdr-sandbox create NAME`.',
      });
    }
    return rec;
  }
  const cwd = canonical(ref.cwd, deps.files);
  const envDir = findEnvFileUp(cwd, deps.files);
  if (envDir) {
    const env = parseEnvFile(deps.files.readText(join(envDir, ENV_FILE)) ?? '');
    const id = env.INSTANCE_ID;
    const rec = id ? registry.instances[id] : undefined;
    if (rec && canonical(rec.path, deps.files) === envDir) return rec;
    const byPath = instanceContaining(registry, envDir);
    if (byPath) return byPath;
    throw new SandboxError('NOT_AN_INSTANCE', `${envDir} has a ${ENV_FILE} for "${id ?? '?'}", but the registry has no instance there`, {
      hint: 'Register this directory with `ktrdr-sandbox init` (the registry is the source of truth).',
    });
  }
  const rec = instanceContaining(registry, cwd);
  if (rec) return rec;
  throw new SandboxError(
    'NOT_AN_INSTANCE',
    `Not inside a sandbox instance: no ${ENV_FILE} in ${cwd} or above, and no registered instance contains it`,
    {
      hint: 'cd into an instance directory, pass the instance id, or register this checkout with `ktrdr-sandbox init`.',
    },
  );
}

/** An instance's record, manifest and variables. A command's full context (registry, compose model, engine) is
 *  the InstanceContext of instance-context.ts, which holds these too. */
export interface LoadedInstance {
  rec: InstanceRecord;
  manifest: Manifest;
  vars: Record<string, string>;
}

/** dirExists: whether rec.path exists, when the caller already looked (a gone directory gets the preset). */
export async function loadInstance(deps: Deps, rec: InstanceRecord, dirExists = deps.files.exists(rec.path)): Promise<LoadedInstance> {
  const { manifest } = await loadManifest(dirExists ? rec.path : '/nonexistent', { platform: deps.env.platform }, deps.files);
  return { rec, manifest, vars: instanceVariables(rec, manifest, deps.sharedHome) };
}

export function requireDir(rec: InstanceRecord, files: Pick<Files, 'exists'>): void {
  if (!files.exists(rec.path)) {
    throw new SandboxError('STATE', `The directory of "${rec.id}" is gone: ${rec.path}`, {
      hint: `Remove what is left with \`ktrdr-sandbox destroy ${rec.id} --force\` or \`ktrdr-sandbox prune\`.`,
    });
  }
}

/**
 * Rewrite .env.sandbox from the registry when it is missing or differs. Returns true when it was (re)written.
 * A file edited by hand (not as we wrote it) is first kept in .env.sandbox.bak, and the change is reported.
 */
export async function ensureEnvFile(files: Files, ctx: LoadedInstance, emit?: EventSink): Promise<boolean> {
  const file = envFilePath(ctx.rec.path);
  const want = renderEnvFile(ctx.vars);
  const have = files.readText(file);
  if (have === want) return false;
  if (have !== undefined && handEdited(have, want)) {
    files.write(`${file}.bak`, have, { mode: 0o644 });
    const changes = envFileChanges(have, want);
    emit?.({
      type: 'step',
      instance: ctx.rec.id,
      id: 'envfile-backup',
      label: `${ENV_FILE} was edited by hand (${changes.slice(0, 8).join('; ')}${changes.length > 8 ? '; …' : ''}): the old file is kept in ${ENV_FILE}.bak, the registry's values written`,
      state: 'warning',
    });
  }
  files.write(file, want, { mode: 0o644 });
  return true;
}

/** overrideFile: the generated per-instance override (overrideFileFor writes it), always the LAST -f. */
export function composeTarget(ctx: LoadedInstance, env?: Record<string, string>, overrideFile?: string): ComposeTarget {
  const files = ctx.manifest.compose.files.map((f) => (f.startsWith('/') ? f : join(ctx.rec.path, f)));
  if (overrideFile) files.push(overrideFile);
  const t: ComposeTarget = {
    project: ctx.rec.id,
    projectDir: ctx.rec.path,
    files,
    envFile: envFilePath(ctx.rec.path),
    // Compose lets the shell environment beat --env-file; the instance's own values must win, so they go
    // into the child environment too (a stale `eval "$(ktrdr-sandbox env)"` of another instance is harmless).
    env: { ...ctx.vars, ...env },
  };
  return t;
}

/**
 * The compose target with the instance's secrets in its environment (never on disk in the repo) and the
 * per-instance override written and passed last. opts.isolate: `up` deciding isolation (remembered for the
 * other commands); without it the last decision applies.
 */
export async function secretTarget(
  deps: Deps,
  ctx: LoadedInstance,
  opts: { isolate?: boolean; startInterval?: boolean; model?: ComposeModel } = {},
): Promise<ComposeTarget> {
  const [env, file] = await Promise.all([
    deps.secrets.get(ctx.rec.id, { ...ctx.manifest.secrets, cwd: ctx.rec.path }),
    overrideFileFor(deps, ctx, opts),
  ]);
  return composeTarget(ctx, env, file);
}

/** Write the instance's compose override (from its compose model) and return its path. */
export async function overrideFileFor(
  deps: Pick<Deps, 'home' | 'composeModels' | 'files' | 'env'>,
  ctx: LoadedInstance,
  opts: { isolate?: boolean; startInterval?: boolean; model?: ComposeModel } = {},
): Promise<string> {
  // the override's code loads only when one is written (`status` and `list` only read)
  const [model, { writeOverride }] = await Promise.all([opts.model ?? composeModelOf(ctx, deps), import('./override/state')]);
  const w: Parameters<typeof writeOverride>[0] = { home: deps.home, id: ctx.rec.id, manifest: ctx.manifest, model, files: deps.files };
  if (opts.isolate !== undefined) w.isolate = opts.isolate;
  if (opts.startInterval !== undefined) w.startInterval = opts.startInterval;
  const src = ctx.rec.engine?.source;
  if (src?.mode === 'path-map' && src.map?.length)
    w.pathMap = { map: src.map, vars: { ...deps.env.all(), ...ctx.vars }, projectDir: ctx.rec.path };
  const mounts = overlayMounts(deps.home, ctx.rec.id, ctx.manifest, ctx.vars, ctx.rec.sharedOverlay);
  if (mounts.length) w.overlay = { mounts, vars: { ...deps.env.all(), ...ctx.vars }, projectDir: ctx.rec.path };
  return writeOverride(w).file;
}

export function composeModelOf(ctx: LoadedInstance, deps: Pick<Deps, 'composeModels' | 'files'>): Promise<ComposeModel> {
  return readComposeModel(ctx.rec.path, ctx.manifest.compose.files, deps.composeModels, deps.files);
}

/** Make git ignore .env.sandbox in this repository (info/exclude is shared by all worktrees). */
export async function excludeEnvFile(files: Files, commonGitDir: string): Promise<void> {
  const file = join(commonGitDir, 'info', 'exclude');
  const text = files.readText(file) ?? '';
  const has = (name: string) => text.split('\n').some((l) => l.trim() === `/${name}` || l.trim() === name);
  // .env.sandbox.bak: the copy of a hand-edited .env.sandbox (ensureEnvFile)
  const add = [ENV_FILE, `${ENV_FILE}.bak`].filter((n) => !has(n));
  if (!add.length) return;
  files.mkdir(dirname(file));
  files.write(
    file,
    `${text}${text && !text.endsWith('\n') ? '\n' : ''}# ktrdr-sandbox instance file\n${add.map((n) => `/${n}\n`).join('')}`,
  );
}
