// evidence: one directory (and a .tar.gz of it) that proves what happened in an instance — the last gate report,
// `status --json`, the resolved compose config, per-container state, the last 500 log lines of every service,
// git state, versions and a SUMMARY.md readable in ten seconds. Every file passes through the redactor before
// it is written: no secret value of the instance ever reaches the disk. Everything is collected in parallel.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as tar from 'tar';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { version as toolVersion } from '../../version';
import { composeFilePaths, defaultServices } from '../compose-model';
import type { ComposeInfo, ContainerDetails, Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { createRedactor, isSensitiveName, redactDeep } from '../redact';
import { composeModelOf, composeTarget, loadInstance, resolveInstance, type InstanceContext, type InstanceRef } from '../resolve';
import type { ContainerInfo, GateReport } from '../types';
import { substitute } from '../compose-lint';
import { runLogPath } from './run';
import { statusOf } from './status';

export const EVIDENCE_DIR = '.sandbox-evidence';
export const LOG_LINES = 500;

export interface EvidenceOptions {
  /** Directory to write (default: <instance>/.sandbox-evidence/<timestamp>/). Must not exist or be empty. */
  out?: string;
  /** Resolves a relative --out (default: process.cwd()). */
  cwd?: string;
  /**
   * Write compose's own `config` output (a compose subprocess: ~1-3 s with Compose v1) instead of our
   * interpolation of the same inputs (milliseconds).
   */
  composeConfig?: boolean;
  /** Environment compose would see at `up` (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface ContainerEvidence {
  service: string;
  name: string;
  id: string;
  oneOff: boolean;
  state: ContainerInfo['state'] | 'absent';
  status: string;
  health: string;
  exitCode: number | null;
  restartCount: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  oomKilled: boolean | null;
  ports: ContainerInfo['ports'];
  log: string | null;
}

export interface EvidenceResult {
  instance: string;
  slot: number;
  path: string;
  /** The evidence directory and its tarball (next to it). */
  dir: string;
  tarball: string;
  /** Files in dir, relative, sorted. */
  files: string[];
  verdict: 'PASSED' | 'FAILED' | 'NO GATE';
  gateAt: string | null;
  failedChecks: string[];
  containers: { total: number; healthy: number; unhealthy: string[] };
  git: { branch: string | null; head: string | null; dirty: boolean | null };
  /** Parts that could not be collected (the rest of the bundle is still written). */
  problems: string[];
  elapsedMs: number;
}

/** 2025-01-31T12-03-04Z: sortable, no colons (portable file name). */
export function evidenceStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

export async function collectEvidence(deps: Deps, ref: InstanceRef, opts: EvidenceOptions = {}, emit: EventSink = noEvents): Promise<EvidenceResult> {
  const t0 = Date.now();
  const rec = await resolveInstance(deps, ref);
  const ctx = await loadInstance(deps, rec);
  const dirExists = existsSync(rec.path);
  if (!opts.out && !dirExists) {
    throw new SandboxError('STATE', `The directory of "${rec.id}" is gone: ${rec.path}`, {
      hint: 'Write the evidence elsewhere with --out PATH.',
    });
  }
  const dir = opts.out ? resolve(opts.cwd ?? process.cwd(), opts.out) : await freshDir(join(rec.path, EVIDENCE_DIR), evidenceStamp(deps.clock.now()));
  if (opts.out) await assertEmptyOrAbsent(dir);
  const tarball = `${dir}.tar.gz`;
  if (existsSync(tarball)) throw new SandboxError('USAGE', `${tarball} already exists`, { hint: 'Choose another --out.' });
  if (!opts.out) await excludeEvidenceDir(rec.repo).catch(() => undefined);
  await mkdir(join(dir, 'logs'), { recursive: true });

  const problems: string[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const msg = `${what}: ${(err as Error).message.split('\n')[0]}`;
      problems.push(msg);
      emit({ type: 'step', instance: rec.id, id: 'evidence', label: msg, state: 'warning' });
      return fallback;
    }
  };

  // Secrets first: the redactor must know every value before anything is written.
  const secrets = await attempt('secrets', () => deps.secrets.get(rec.id, { ...ctx.manifest.secrets, cwd: dirExists ? rec.path : deps.home }), {} as Record<string, string>);
  const secretNames = new Set([...ctx.manifest.secrets.generate, ...Object.keys(secrets)]);
  const redact = createRedactor({ values: Object.values(secrets), names: secretNames });
  const sensitive = (n: string) => isSensitiveName(n, secretNames);
  const files: string[] = [];
  const write = async (rel: string, text: string) => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), redact(text));
    files.push(rel);
  };
  const writeJson = (rel: string, data: unknown) => write(rel, `${JSON.stringify(redactDeep(data, redact, sensitive), null, 2)}\n`);

  const env = opts.env ?? process.env;
  const containersP = attempt('containers', () => collectContainers(deps, ctx, write), { containers: [] as ContainerEvidence[], composeVersion: null as string | null });
  const [gate, status, config, { containers }, gitInfo, versions, runFiles] = await Promise.all([
    attempt('gate report', () => deps.gates.read(rec.id), null as GateReport | null),
    attempt('status', () => statusOf(deps, { id: rec.id }), null),
    dirExists ? composeConfigText(deps, ctx, secrets, env, !!opts.composeConfig, attempt) : Promise.resolve(null),
    containersP,
    dirExists ? collectGit(deps, rec.path, attempt) : Promise.resolve(null),
    collectVersions(deps, attempt, opts.composeConfig ? Promise.resolve(null) : containersP.then((c) => c.composeVersion)),
    collectRunOutputs(deps, rec.id, write),
  ]);

  await Promise.all([
    writeJson('gate.json', gate ?? { instance: rec.id, passed: null, message: 'No Startability Gate has run for this instance (run `ktrdr-sandbox gate`).' }),
    writeJson('status.json', status ?? { instance: rec.id, error: 'status could not be read' }),
    write('compose-config.yml', config ?? `# The resolved compose configuration could not be produced: ${problems.find((p) => p.startsWith('compose config')) ?? 'the instance directory is gone'}\n`),
    writeJson('containers.json', containers),
    write('git.txt', gitInfo?.text ?? 'The instance directory is gone: no git state.\n'),
    writeJson('versions.json', versions),
  ]);

  const summary = summarise({ ctx, gate, containers, gitInfo, dir, runFiles, problems, stamp: new Date(deps.clock.now()).toISOString(), elapsedMs: Date.now() - t0 });
  await write('SUMMARY.md', summary.text);
  await tar.c({ gzip: true, file: tarball, cwd: dirname(dir), portable: true }, [basename(dir)]);

  return {
    instance: rec.id,
    slot: rec.slot,
    path: rec.path,
    dir,
    tarball,
    files: files.sort(),
    verdict: summary.verdict,
    gateAt: gate?.startedAt ?? null,
    failedChecks: summary.failedChecks,
    containers: summary.containers,
    git: { branch: gitInfo?.branch ?? null, head: gitInfo?.head ?? null, dirty: gitInfo?.dirty ?? null },
    problems,
    elapsedMs: Date.now() - t0,
  };
}

async function freshDir(parent: string, stamp: string): Promise<string> {
  let dir = join(parent, stamp);
  for (let i = 2; existsSync(dir) || existsSync(`${dir}.tar.gz`); i++) dir = join(parent, `${stamp}-${i}`);
  return dir;
}

async function assertEmptyOrAbsent(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new SandboxError('USAGE', `--out ${dir} exists and is not a directory`);
  if ((await readdir(dir)).length) {
    throw new SandboxError('USAGE', `--out ${dir} exists and is not empty`, { hint: 'Evidence never overwrites files: choose a new directory.' });
  }
}

/** Keep evidence out of `git status` (and so out of destroy's dirty check): <repo>/.git/info/exclude. */
async function excludeEvidenceDir(repo: string): Promise<void> {
  const gitDir = join(repo, '.git');
  if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) return;
  const file = join(gitDir, 'info', 'exclude');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '';
  }
  if (text.split('\n').some((l) => l.trim() === `/${EVIDENCE_DIR}/` || l.trim() === `/${EVIDENCE_DIR}`)) return;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# ktrdr-sandbox evidence bundles\n/${EVIDENCE_DIR}/\n`);
}

type Attempt = <T>(what: string, fn: () => Promise<T>, fallback: T) => Promise<T>;
type Write = (rel: string, text: string) => Promise<void>;

/**
 * The resolved compose configuration: by default our own interpolation of the compose file(s) with exactly
 * the inputs `up` gives compose (.env.sandbox < environment < secrets; defaults, `$$`), anchors merged,
 * x- fields dropped. With useCompose: compose's own `config` output (falls back to ours when it fails).
 */
async function composeConfigText(
  deps: Deps,
  ctx: InstanceContext,
  secrets: Record<string, string>,
  env: Record<string, string | undefined>,
  useCompose: boolean,
  attempt: Attempt,
): Promise<string | null> {
  let composeError: string | null = null;
  if (useCompose) {
    try {
      const info = await deps.compose.info();
      const text = await deps.compose.config(composeTarget(ctx, secrets));
      return `# Resolved compose configuration of ${ctx.rec.id}: output of \`${info.command.join(' ')} config\` (secrets redacted).\n${text}`;
    } catch (err) {
      composeError = (err as Error).message.split('\n').slice(0, 6).join('\n# ');
    }
  }
  return attempt('compose config', async () => {
    const files = composeFilePaths(ctx.rec.path, ctx.manifest.compose.files);
    const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const values = { ...ctx.vars, ...defined, ...secrets };
    const header = [
      `# Resolved compose configuration of ${ctx.rec.id} (secrets redacted).`,
      `# ${files.map((f) => relative(ctx.rec.path, f)).join(', ')} interpolated by ktrdr-sandbox with the inputs \`up\` gives compose:`,
      '# .env.sandbox, then the environment, then the instance secrets. `evidence --compose-config` runs `compose config` instead.',
      ...(composeError ? [`# \`compose config\` failed: ${composeError}`] : []),
    ];
    return `${header.join('\n')}\n${renderResolvedCompose(texts, values)}`;
  }, null);
}

/** Parse, merge (later files override earlier ones), interpolate every string value, drop x- extension fields. */
export function renderResolvedCompose(texts: string[], values: Record<string, string>): string {
  let merged: unknown = {};
  for (const text of texts) merged = mergeCompose(merged, parseYaml(text, { merge: true }) ?? {});
  const interpolate = (v: unknown): unknown => {
    if (typeof v === 'string') return substitute(v, values, {});
    if (Array.isArray(v)) return v.map(interpolate);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, interpolate(x)]));
    return v;
  };
  const doc = interpolate(merged) as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (k.startsWith('x-')) delete doc[k];
  return stringifyYaml(doc, { lineWidth: 0 });
}

const OVERRIDE_LISTS = new Set(['command', 'entrypoint', 'test']);

function mergeCompose(a: unknown, b: unknown, key = ''): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (OVERRIDE_LISTS.has(key)) return b;
    const seen = new Set(a.map((x) => JSON.stringify(x)));
    return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? mergeCompose(out[k], v, k) : v;
    return out;
  }
  return b;
}

async function collectContainers(deps: Deps, ctx: InstanceContext, write: Write): Promise<{ containers: ContainerEvidence[]; composeVersion: string | null }> {
  let composeVersion: string | null = null;
  const [list, model] = await Promise.all([
    deps.engine.listContainers({ projects: [ctx.rec.id], all: true }),
    composeModelOf(ctx, deps).catch(() => null),
  ]);
  const sorted = [...list].sort((a, b) => Number(a.oneOff) - Number(b.oneOff) || a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
  const seen = new Map<string, number>();
  const out = await Promise.all(
    sorted.map(async (c): Promise<ContainerEvidence> => {
      const n = (seen.get(`${c.oneOff}:${c.service}`) ?? 0) + 1;
      seen.set(`${c.oneOff}:${c.service}`, n);
      const logName = `logs/${c.oneOff ? `run-${c.service}-${c.id.slice(0, 12)}` : n > 1 ? `${c.service}-${n}` : c.service}.log`;
      const [details, log] = await Promise.all([
        deps.engine.inspect ? deps.engine.inspect(c.id).catch(() => null) : Promise.resolve(null as ContainerDetails | null),
        deps.engine
          .logs(c.id, { tail: LOG_LINES, timestamps: true })
          .then((lines) => lines.map((l) => l.text).join('\n'))
          .catch((err: Error) => `(could not read the logs: ${err.message})`),
      ]);
      composeVersion ??= details?.labels?.['com.docker.compose.version'] ?? null;
      await write(logName, log ? `${log}\n` : '');
      return {
        service: c.service,
        name: c.name,
        id: c.id.slice(0, 12),
        oneOff: c.oneOff,
        state: c.state,
        status: c.status,
        health: details?.health ?? c.health,
        exitCode: details ? details.exitCode : null,
        restartCount: details ? details.restartCount : null,
        startedAt: details?.startedAt ?? null,
        finishedAt: details?.finishedAt ?? null,
        oomKilled: details ? details.oomKilled : null,
        ports: c.ports,
        log: logName,
      };
    }),
  );
  // services a plain `up` starts but that have no container at all
  for (const s of model ? defaultServices(model) : []) {
    if (!out.some((c) => c.service === s.name && !c.oneOff)) {
      out.push({ service: s.name, name: '', id: '', oneOff: false, state: 'absent', status: 'no container', health: 'none', exitCode: null, restartCount: null, startedAt: null, finishedAt: null, oomKilled: null, ports: [], log: null });
    }
  }
  return { containers: out, composeVersion };
}

interface GitInfo {
  branch: string | null;
  head: string | null;
  dirty: boolean | null;
  files: string[];
  text: string;
}

async function collectGit(deps: Deps, dir: string, attempt: Attempt): Promise<GitInfo> {
  const [branch, head, status, diffStat] = await Promise.all([
    attempt('git branch', () => deps.git.currentBranch(dir), null),
    attempt('git HEAD', () => deps.git.head(dir), null),
    attempt('git status', () => deps.git.status(dir), null),
    deps.git.diffStat ? attempt('git diff --stat', () => deps.git.diffStat!(dir), '') : Promise.resolve('(git diff --stat is not available)'),
  ]);
  const lines = [
    `branch: ${branch ?? '(detached HEAD)'}`,
    `HEAD:   ${head ?? '(no commit)'}`,
    `dirty:  ${status ? (status.dirty ? `yes (${status.files.length} file${status.files.length === 1 ? '' : 's'})` : 'no') : 'unknown'}`,
    '',
    '## git status --porcelain',
    ...(status?.files.length ? status.files : ['(clean)']),
    '',
    '## git diff --stat HEAD',
    diffStat.trim() || '(no changes against HEAD)',
    '',
  ];
  return { branch, head, dirty: status ? status.dirty : null, files: status?.files ?? [], text: lines.join('\n') };
}

/**
 * Versions. Compose's version comes from the com.docker.compose.version label of the instance's containers
 * when they exist (what really started them, and no compose subprocess), else from `compose version`.
 */
async function collectVersions(deps: Deps, attempt: Attempt, labelVersion: Promise<string | null>): Promise<Record<string, unknown>> {
  const composeInfo = async (): Promise<ComposeInfo | { variant: string; version: string; command: string[]; source: string }> => {
    const v = await labelVersion;
    if (v) return { variant: v.startsWith('1.') ? 'v1' : 'v2', version: v, command: [], source: 'label com.docker.compose.version of the containers' };
    return deps.compose.info();
  };
  const [engine, compose, git] = await Promise.all([
    attempt('engine version', () => deps.engine.ping(), null),
    attempt('compose version', composeInfo, null),
    attempt('git version', () => deps.git.version(), null),
  ]);
  return {
    'ktrdr-sandbox': toolVersion,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    engine: engine ? { version: engine.version, apiVersion: engine.apiVersion, endpoint: engine.endpoint } : null,
    compose: compose
      ? { variant: compose.variant, version: compose.version, ...('source' in compose ? { source: compose.source } : { command: compose.command.join(' ') }) }
      : null,
    git,
  };
}

/** The last `run` (see run.ts: <home>/runs/<id>.log) as last-run.log, plus any outputs kept under <home>/runs/<id>/. */
async function collectRunOutputs(deps: Deps, id: string, write: Write): Promise<string[]> {
  const last = await readFile(runLogPath(deps.home, id), 'utf8').catch(() => null);
  const lastOut: string[] = [];
  if (last !== null) {
    await write('last-run.log', last);
    lastOut.push('last-run.log');
  }
  const src = join(deps.home, 'runs', id);
  let names: string[];
  try {
    names = (await readdir(src, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name).sort();
  } catch {
    return lastOut;
  }
  const out: string[] = [...lastOut];
  await Promise.all(
    names.map(async (n) => {
      const text = await readFile(join(src, n), 'utf8').catch(() => null);
      if (text === null) return;
      await write(`runs/${n}`, text);
      out.push(`runs/${n}`);
    }),
  );
  return out.sort();
}

function summarise(o: {
  ctx: InstanceContext;
  gate: GateReport | null;
  containers: ContainerEvidence[];
  gitInfo: GitInfo | null;
  dir: string;
  runFiles: string[];
  problems: string[];
  stamp: string;
  elapsedMs: number;
}): { text: string; verdict: EvidenceResult['verdict']; failedChecks: string[]; containers: EvidenceResult['containers'] } {
  const { ctx, gate } = o;
  const verdict: EvidenceResult['verdict'] = gate ? (gate.passed ? 'PASSED' : 'FAILED') : 'NO GATE';
  const failed = gate ? gate.checks.filter((c) => c.state === 'failed') : [];
  const own = o.containers.filter((c) => !c.oneOff);
  const isHealthy = (c: ContainerEvidence) => c.state === 'running' && (c.health === 'healthy' || c.health === 'none');
  const unhealthy = own.filter((c) => !isHealthy(c));
  const describe = (c: ContainerEvidence) => {
    const bits = [c.state === 'running' ? c.health : c.state];
    if (c.exitCode !== null && c.state !== 'running' && c.state !== 'absent') bits.push(`exit code ${c.exitCode}`);
    if (c.oomKilled) bits.push('OOM-killed');
    if (c.restartCount) bits.push(`${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}`);
    return `${c.service} (${bits.join(', ')})`;
  };
  const logs = own.filter((c) => c.log).map((c) => c.log!.replace(/^logs\//, ''));
  const g = o.gitInfo;
  const lines: string[] = [`# Evidence: ${ctx.rec.id}`, ''];
  if (verdict === 'NO GATE') lines.push('**Verdict: NO GATE RUN** — no Startability Gate report exists for this instance.');
  else lines.push(`**Verdict: ${verdict}** — Startability Gate of ${gate!.startedAt}, ${(gate!.elapsedMs / 1000).toFixed(1)}s`);
  for (const c of failed) lines.push(`- ✗ ${c.label} (${c.name}): ${c.message.split('\n')[0]}`);
  lines.push('');
  lines.push(
    `- **Containers:** ${own.length - unhealthy.length}/${own.length} healthy${unhealthy.length ? ` — not healthy: ${unhealthy.map(describe).join('; ')}` : ''}`,
    `- **Instance:** ${ctx.rec.id} · slot ${ctx.rec.slot} · ${ctx.rec.path}`,
    `- **Git:** ${g ? `branch ${g.branch ?? '(detached)'} · HEAD ${g.head ? g.head.slice(0, 12) : '(none)'} · ${g.dirty === null ? 'state unknown' : g.dirty ? `dirty (${g.files.length} file${g.files.length === 1 ? '' : 's'})` : 'clean'}` : 'directory gone'}`,
    `- **Logs:** last ${LOG_LINES} lines per service in \`logs/\` (${logs.join(', ') || 'none'})${o.runFiles.length ? `; run outputs in \`runs/\`` : ''}`,
    `- **Collected:** ${o.stamp} in ${(o.elapsedMs / 1000).toFixed(1)}s by ktrdr-sandbox ${toolVersion} · secrets redacted`,
    '',
    '## Files',
    '- `gate.json` — last Startability Gate report, every check with its timing',
    '- `status.json` — same as `ktrdr-sandbox status --json`',
    '- `containers.json` — state, health, exit code, restarts, start/finish time per container',
    '- `compose-config.yml` — resolved compose configuration (secrets redacted)',
    '- `git.txt` — branch, HEAD, dirty files, `git diff --stat`',
    '- `versions.json` — ktrdr-sandbox, Node, engine, compose, git',
    `- \`logs/<service>.log\` — the last ${LOG_LINES} lines of every service (with timestamps)`,
  );
  if (o.problems.length) {
    lines.push('', '## Could not collect', ...o.problems.map((p) => `- ${p}`));
  }
  lines.push('');
  return {
    text: lines.join('\n'),
    verdict,
    failedChecks: failed.map((c) => c.name),
    containers: { total: own.length, healthy: own.length - unhealthy.length, unhealthy: unhealthy.map((c) => c.service) },
  };
}
