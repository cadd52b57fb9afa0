// doctor: is this machine and this compose file fit for several instances side by side?
// Environment: engine reachable (+version), which compose, git, free disk. The compose file: the pure lint
// of core/compose-lint.ts and — with the engine — external networks/volumes that do not exist (`--fix`
// creates them).
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { composeFilePaths, type ComposeModel } from '../compose-model';
import { composeModelFromTexts } from '../compose-model-parse';
import type { Deps, Files } from '../deps';
import { instanceVariables } from '../envfile';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { loadManifest } from '../manifest';
import type { Manifest } from '../manifest-schema';
import { canonical, resolveInstance, type LoadedInstance, type InstanceRef } from '../resolve';
import type { InstanceRecord } from '../../shared/types';
import { lintCompose, type DoctorCheck, type Env } from '../compose-lint';
import { isolationDoctor } from '../override/doctor';
import { EXTERNAL_LABELS } from '../externals';

export type { CheckLevel, DoctorCheck } from '../compose-lint';

export const GB = 1024 ** 3;
export const DISK_WARN_BYTES = 5 * GB;
export const DISK_ERROR_BYTES = 1 * GB;

export interface DoctorTarget {
  kind: 'instance' | 'repository';
  id: string | null;
  path: string;
  files: string[];
  manifest: string | null;
}

export interface DoctorResult {
  target: DoctorTarget;
  checks: DoctorCheck[];
  errors: number;
  warnings: number;
  passed: boolean;
}

export interface DoctorOptions {
  fix?: boolean;
  /** Environment compose sees (default: the process's, deps.env). */
  env?: Env;
}

export async function runDoctor(
  deps: Deps,
  ref: InstanceRef,
  opts: DoctorOptions = {},
  _emit: EventSink = noEvents,
): Promise<DoctorResult> {
  const env = opts.env ?? deps.env.all();
  // What to lint: the instance, or the repository at cwd.
  const checks: DoctorCheck[] = [];
  let rec: InstanceRecord | null = null;
  let root: string;
  try {
    rec = await resolveInstance(deps, ref);
    root = rec.path;
  } catch (err) {
    if (!(err instanceof SandboxError) || err.code !== 'NOT_AN_INSTANCE' || !('cwd' in ref)) throw err;
    const cwd = canonical(ref.cwd, deps.files);
    root = (await deps.git.topLevel(cwd).catch(() => null)) ?? cwd;
  }
  let manifest: Manifest | null = null;
  let manifestSource: string | null = null;
  try {
    const loaded = await loadManifest(deps.files.exists(root) ? root : '/nonexistent', { platform: deps.env.platform }, deps.files);
    manifest = loaded.manifest;
    manifestSource = loaded.source;
  } catch (err) {
    checks.push({ name: 'manifest', level: 'error', message: (err as Error).message, fix: (err as SandboxError).hint });
  }
  const ctx: LoadedInstance | null = rec && manifest ? { rec, manifest, vars: instanceVariables(rec, manifest, deps.sharedHome) } : null;
  const target: DoctorTarget = {
    kind: rec ? 'instance' : 'repository',
    id: rec?.id ?? null,
    path: root,
    files: manifest ? composeFilePaths(root, manifest.compose.files) : [],
    manifest: manifestSource,
  };

  const [engineCheck, composeCheck, gitCheck, diskChecks, lint] = await Promise.all([
    checkEngine(deps),
    checkCompose(deps),
    checkGit(deps),
    checkDisk(deps.files, [root, deps.home]),
    manifest ? lintTarget(deps, { ctx, root, manifest, env, fix: !!opts.fix }) : Promise.resolve([] as DoctorCheck[]),
  ]);
  checks.push(engineCheck, composeCheck, gitCheck, ...diskChecks, ...lint);
  const errors = checks.filter((c) => c.level === 'error').length;
  const warnings = checks.filter((c) => c.level === 'warning').length;
  return { target, checks, errors, warnings, passed: errors === 0 };
}

async function lintTarget(
  deps: Deps,
  o: { ctx: LoadedInstance | null; root: string; manifest: Manifest; env: Env; fix: boolean },
): Promise<DoctorCheck[]> {
  const paths = composeFilePaths(o.root, o.manifest.compose.files);
  let texts: string[];
  let model: ComposeModel;
  const fileError = (message: string): DoctorCheck[] => [
    {
      name: 'compose-file',
      level: 'error',
      message,
      fix: 'add the compose file, or name your compose file(s) in ktrdr-sandbox.yml (compose.files)',
    },
  ];
  try {
    const read = paths.map((p) => deps.files.readText(p));
    const absent = paths.find((_, i) => read[i] === undefined);
    if (absent) return fileError(`compose file not found: ${absent}`);
    texts = read as string[];
    model = composeModelFromTexts(paths, texts, parseYaml);
  } catch (err) {
    return fileError((err as Error).message);
  }
  // The variables an instance of this repository gets (for a plain repository: as slot 1 would).
  const vars = o.ctx
    ? o.ctx.vars
    : instanceVariables(
        { id: 'doctor-preview', path: o.root, slot: 1, kind: 'clone', repo: o.root, branch: null, createdAt: new Date(0).toISOString() },
        o.manifest,
        deps.sharedHome,
      );
  const findings = lintCompose(model, o.manifest, vars, o.env, { texts });
  const external = await checkExternal(deps, model, o.fix);
  const all = [...findings, ...external, ...isolationDoctor(model, o.manifest, deps, o.ctx?.rec.id ?? null)];
  const nServices = Object.keys(model.services).length;
  if (!findings.length) {
    all.unshift({
      name: 'compose-lint',
      level: 'ok',
      message: `${nServices} services in ${paths.map((p) => p.split('/').pop()).join(', ')}: no container_name, every host port from the slot map, no unset variables`,
    });
  }
  return all;
}

async function checkExternal(deps: Deps, model: ComposeModel, fix: boolean): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const kinds = [
    { kind: 'network' as const, names: model.externalNetworks, exists: deps.engine.networkExists, create: deps.engine.createNetwork },
    { kind: 'volume' as const, names: model.externalVolumes, exists: deps.engine.volumeExists, create: deps.engine.createVolume },
  ];
  for (const k of kinds) {
    for (const name of k.names) {
      const check = `external-${k.kind}`;
      let exists: boolean;
      try {
        exists = await k.exists.call(deps.engine, name);
      } catch (err) {
        out.push({
          name: check,
          level: 'warning',
          message: `cannot check external ${k.kind} "${name}": ${(err as Error).message.split('\n')[0]}`,
        });
        continue;
      }
      if (exists) {
        out.push({ name: check, level: 'ok', message: `external ${k.kind} "${name}" exists` });
        continue;
      }
      if (fix) {
        try {
          await k.create.call(deps.engine, name, EXTERNAL_LABELS);
          out.push({
            name: check,
            level: 'ok',
            message: `external ${k.kind} "${name}" was missing: created it (yours to keep: \`destroy\` never removes it)`,
            fixed: true,
          });
          continue;
        } catch (err) {
          out.push({
            name: check,
            level: 'error',
            message: `external ${k.kind} "${name}" does not exist and could not be created: ${(err as Error).message.split('\n')[0]}`,
            fix: `docker ${k.kind} create ${name}`,
          });
          continue;
        }
      }
      out.push({
        name: check,
        level: 'error',
        message: `external ${k.kind} "${name}" does not exist: \`up\` stops before compose until it does`,
        fix: `start the stack that owns it, or \`ktrdr-sandbox doctor --fix\` / \`ktrdr-sandbox up --create-externals\` (or \`docker ${k.kind} create ${name}\`)`,
      });
    }
  }
  return out;
}

async function checkEngine(deps: Deps): Promise<DoctorCheck> {
  try {
    const info = await deps.engine.ping();
    const major = Number(/^(\d+)/.exec(info.version)?.[1] ?? '0');
    const msg = `Docker ${info.version || '?'} (API ${info.apiVersion || '?'}) at ${info.endpoint}`;
    if (major > 0 && major < 20)
      return { name: 'engine', level: 'warning', message: `${msg}: older than 20.10, untested`, fix: 'upgrade Docker' };
    return { name: 'engine', level: 'ok', message: msg };
  } catch (err) {
    return {
      name: 'engine',
      level: 'error',
      message: (err as Error).message,
      fix: 'start Docker (Docker Desktop, or `sudo systemctl start docker`)',
    };
  }
}

async function checkCompose(deps: Deps): Promise<DoctorCheck> {
  try {
    const c = await deps.compose.info();
    return {
      name: 'compose',
      level: 'ok',
      message: `${c.command.join(' ')} ${c.version} (${c.variant === 'v2' ? 'Compose v2' : 'Compose v1'})`,
    };
  } catch (err) {
    return {
      name: 'compose',
      level: 'error',
      message: (err as Error).message,
      fix: (err as SandboxError).hint ?? 'install Docker Compose',
    };
  }
}

async function checkGit(deps: Deps): Promise<DoctorCheck> {
  try {
    return { name: 'git', level: 'ok', message: `git ${await deps.git.version()}` };
  } catch (err) {
    return {
      name: 'git',
      level: 'error',
      message: `git does not run: ${(err as Error).message.split('\n')[0]}`,
      fix: 'install git and put it on PATH',
    };
  }
}

/** Free space on the filesystems holding these paths (nearest existing ancestor), one check per filesystem. */
export async function checkDisk(files: Files, paths: string[]): Promise<DoctorCheck[]> {
  const seen = new Set<number>();
  const out: DoctorCheck[] = [];
  for (const p of paths) {
    let dir = p;
    while (dir && !files.exists(dir)) {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    const st = dir ? files.stat(dir) : undefined;
    if (!st) continue;
    if (seen.has(st.dev)) continue;
    seen.add(st.dev);
    try {
      out.push(diskCheck(dir, await files.freeBytes(dir)));
    } catch (err) {
      out.push({ name: 'disk', level: 'warning', message: `cannot read free space of ${dir}: ${(err as Error).message}` });
    }
  }
  return out;
}

export function diskCheck(dir: string, free: number): DoctorCheck {
  const text = `${(free / GB).toFixed(1)} GB free on ${dir}`;
  if (free < DISK_ERROR_BYTES)
    return {
      name: 'disk',
      level: 'error',
      message: `${text} (less than 1 GB)`,
      fix: 'free disk space: `docker system prune`, remove old instances',
    };
  if (free < DISK_WARN_BYTES)
    return {
      name: 'disk',
      level: 'warning',
      message: `${text} (less than 5 GB)`,
      fix: 'free disk space: `docker system prune`, remove old instances',
    };
  return { name: 'disk', level: 'ok', message: text };
}
