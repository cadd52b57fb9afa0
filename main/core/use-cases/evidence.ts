// evidence: one directory (and a .tar.gz of it) that proves what happened in an instance — the last gate report,
// `status --json`, the resolved compose config, per-container state, the last 500 log lines of every service,
// git state, versions and a SUMMARY.md readable in ten seconds. Every file passes through the redactor before
// it is written: no secret value of the instance ever reaches the disk. Everything is collected in parallel.
// Orchestration here; collectors in evidence-collect.ts, the records and SUMMARY.md in ../evidence-bundle.ts.
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tar from 'tar';
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { EVIDENCE_DIR, evidenceStamp, summarise, type ContainerEvidence, type EvidenceResult } from '../evidence-bundle';
import { createRedactor, isSensitiveName, redactDeep } from '../redact';
import { loadInstance, resolveInstance, type InstanceRef } from '../resolve';
import type { GateReport } from '../types';
import { collectContainers, collectGit, collectRunOutputs, collectVersions, composeConfigText } from './evidence-collect';
import { statusOf } from './status';

export { EVIDENCE_DIR, LOG_LINES, evidenceStamp, type ContainerEvidence, type EvidenceResult } from '../evidence-bundle';
export { renderResolvedCompose } from '../resolved-compose';

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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '';
  }
  if (text.split('\n').some((l) => l.trim() === `/${EVIDENCE_DIR}/` || l.trim() === `/${EVIDENCE_DIR}`)) return;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# ktrdr-sandbox evidence bundles\n/${EVIDENCE_DIR}/\n`);
}
