// evidence: one directory (and a .tar.gz of it) that proves what happened in an instance — the last gate report,
// `status --json`, the resolved compose config, per-container state, the last 500 log lines of every service,
// git state, versions and a SUMMARY.md readable in ten seconds. Every file passes through the redactor before
// it is written: no secret value of the instance ever reaches the disk. Everything is collected in parallel.
// Orchestration here; collectors in evidence-collect.ts, the records and SUMMARY.md in ../evidence-bundle.ts.
import { basename, dirname, join, resolve } from 'node:path';
import type { Deps, Files } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { EVIDENCE_DIR, evidenceStamp, summarise, type ContainerEvidence, type EvidenceResult } from '../evidence-bundle';
import { createRedactor, isSensitiveName, redactDeep } from '../redact';
import type { InstanceRef } from '../resolve';
import { depsFor, resolveContext } from '../instance-context';
import type { GateReport } from '../../shared/types';
import { collectContainers, collectGit, collectRunOutputs, collectVersions, composeConfigText } from './evidence-collect';
import { statusOfContext } from './status';

export { EVIDENCE_DIR, LOG_LINES, evidenceStamp, type ContainerEvidence, type EvidenceResult } from '../evidence-bundle';
export { renderResolvedCompose } from '../resolved-compose';

export interface EvidenceOptions {
  /** Directory to write (default: <instance>/.sandbox-evidence/<timestamp>/). Must not exist or be empty. */
  out?: string;
  /** Resolves a relative --out (default: the working directory, deps.env.cwd()). */
  cwd?: string;
  /**
   * Write compose's own `config` output (a compose subprocess: ~1-3 s with Compose v1) instead of our
   * interpolation of the same inputs (milliseconds).
   */
  composeConfig?: boolean;
  /** Environment compose would see at `up` (default: deps.env.all()). */
  env?: Record<string, string | undefined>;
}

export async function collectEvidence(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: EvidenceOptions = {},
  emit: EventSink = noEvents,
): Promise<EvidenceResult> {
  const t0 = Date.now();
  const ctx = await resolveContext(baseDeps, ref);
  const { rec, dirExists } = ctx;
  const deps = depsFor(baseDeps, ctx);
  if (!opts.out && !dirExists) {
    throw new SandboxError('STATE', `The directory of "${rec.id}" is gone: ${rec.path}`, {
      hint: 'Write the evidence elsewhere with --out PATH.',
    });
  }
  const dir = opts.out
    ? resolve(opts.cwd ?? deps.env.cwd(), opts.out)
    : freshDir(deps.files, join(rec.path, EVIDENCE_DIR), evidenceStamp(deps.clock.now()));
  if (opts.out) assertEmptyOrAbsent(deps.files, dir);
  const tarball = `${dir}.tar.gz`;
  if (deps.files.exists(tarball)) throw new SandboxError('USAGE', `${tarball} already exists`, { hint: 'Choose another --out.' });
  if (!opts.out) await excludeEvidenceDir(deps.files, rec.repo).catch(() => undefined);
  deps.files.mkdir(join(dir, 'logs'));

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
  const secrets = await attempt(
    'secrets',
    () => deps.secrets.get(rec.id, { ...ctx.manifest.secrets, cwd: dirExists ? rec.path : deps.home }),
    {} as Record<string, string>,
  );
  const secretNames = new Set([...ctx.manifest.secrets.generate, ...Object.keys(secrets)]);
  const redact = createRedactor({ values: Object.values(secrets), names: secretNames });
  const sensitive = (n: string) => isSensitiveName(n, secretNames);
  const files: string[] = [];
  const write = async (rel: string, text: string) => {
    deps.files.mkdir(dirname(join(dir, rel)));
    deps.files.write(join(dir, rel), redact(text));
    files.push(rel);
  };
  const writeJson = (rel: string, data: unknown) => write(rel, `${JSON.stringify(redactDeep(data, redact, sensitive), null, 2)}\n`);

  const env = opts.env ?? deps.env.all();
  const containersP = attempt('containers', () => collectContainers(deps, ctx, write), {
    containers: [] as ContainerEvidence[],
    composeVersion: null as string | null,
  });
  const [gate, status, config, { containers }, gitInfo, versions, runFiles] = await Promise.all([
    attempt('gate report', () => deps.gates.read(rec.id), null as GateReport | null),
    attempt('status', () => statusOfContext(deps, ctx), null),
    dirExists ? composeConfigText(deps, ctx, secrets, env, !!opts.composeConfig, attempt) : Promise.resolve(null),
    containersP,
    dirExists ? collectGit(deps, rec.path, attempt) : Promise.resolve(null),
    collectVersions(deps, attempt, opts.composeConfig ? Promise.resolve(null) : containersP.then((c) => c.composeVersion)),
    collectRunOutputs(deps, rec.id, write),
  ]);

  await Promise.all([
    writeJson(
      'gate.json',
      gate ?? { instance: rec.id, passed: null, message: 'No Startability Gate has run for this instance (run `ktrdr-sandbox gate`).' },
    ),
    writeJson('status.json', status ?? { instance: rec.id, error: 'status could not be read' }),
    write(
      'compose-config.yml',
      config ??
        `# The resolved compose configuration could not be produced: ${problems.find((p) => p.startsWith('compose config')) ?? 'the instance directory is gone'}\n`,
    ),
    writeJson('containers.json', containers),
    write('git.txt', gitInfo?.text ?? 'The instance directory is gone: no git state.\n'),
    writeJson('versions.json', versions),
  ]);

  const summary = summarise({
    ctx,
    gate,
    containers,
    gitInfo,
    dir,
    runFiles,
    problems,
    stamp: new Date(deps.clock.now()).toISOString(),
    elapsedMs: Date.now() - t0,
  });
  await write('SUMMARY.md', summary.text);
  await deps.archive.pack(tarball, dirname(dir), [basename(dir)]);

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

function freshDir(files: Files, parent: string, stamp: string): string {
  let dir = join(parent, stamp);
  for (let i = 2; files.exists(dir) || files.exists(`${dir}.tar.gz`); i++) dir = join(parent, `${stamp}-${i}`);
  return dir;
}

function assertEmptyOrAbsent(files: Files, dir: string): void {
  const st = files.stat(dir);
  if (!st) return;
  if (st.kind !== 'dir') throw new SandboxError('USAGE', `--out ${dir} exists and is not a directory`);
  if (files.list(dir).length) {
    throw new SandboxError('USAGE', `--out ${dir} exists and is not empty`, {
      hint: 'Evidence never overwrites files: choose a new directory.',
    });
  }
}

/** Keep evidence out of `git status` (and so out of destroy's dirty check): <repo>/.git/info/exclude. */
async function excludeEvidenceDir(files: Files, repo: string): Promise<void> {
  const gitDir = join(repo, '.git');
  if (files.stat(gitDir)?.kind !== 'dir') return;
  const file = join(gitDir, 'info', 'exclude');
  let text: string;
  try {
    text = files.readText(file) ?? '';
  } catch {
    text = '';
  }
  if (text.split('\n').some((l) => l.trim() === `/${EVIDENCE_DIR}/` || l.trim() === `/${EVIDENCE_DIR}`)) return;
  files.mkdir(dirname(file));
  files.write(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# ktrdr-sandbox evidence bundles\n/${EVIDENCE_DIR}/\n`);
}
