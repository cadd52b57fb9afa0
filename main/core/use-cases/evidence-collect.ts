// The collectors of an evidence bundle (see evidence.ts): the resolved compose configuration, per-container
// state and logs, git state, versions and run outputs — each read through Deps, each written through `write`
// (which redacts), none of them allowed to fail the bundle: a failure becomes a problem through `attempt`.
import { join, relative } from 'node:path';
import { version as toolVersion } from '../../version';
import { defaultServices } from '../compose-model';
import type { ComposeInfo, Deps, Files } from '../deps';
import { LOG_LINES, type ContainerEvidence, type GitInfo } from '../evidence-bundle';
import { composeTarget, overrideFileFor } from '../resolve';
import { composeTexts, modelOrNull, type InstanceContext } from '../instance-context';
import { renderResolvedCompose } from '../resolved-compose';
import { runLogPath } from './run';
import { byText } from '../order';

export type Attempt = <T>(what: string, fn: () => Promise<T>, fallback: T) => Promise<T>;
export type Write = (rel: string, text: string) => Promise<void>;

/**
 * The resolved compose configuration: by default our own interpolation of the compose file(s) with exactly
 * the inputs `up` gives compose (.env.sandbox < environment < secrets; defaults, `$$`), anchors merged,
 * x- fields dropped. With useCompose: compose's own `config` output (falls back to ours when it fails).
 */
export async function composeConfigText(
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
      const text = await deps.compose.config(composeTarget(ctx, secrets, await overrideFileFor(deps, ctx, { model: await ctx.model })));
      return `# Resolved compose configuration of ${ctx.rec.id}: output of \`${info.command.join(' ')} config\` (secrets redacted).\n${text}`;
    } catch (err) {
      composeError = (err as Error).message.split('\n').slice(0, 6).join('\n# ');
    }
  }
  return attempt(
    'compose config',
    async () => {
      const files = [...ctx.compose.files, await overrideFileFor(deps, ctx, { model: await ctx.model })];
      const texts = await composeTexts(files, deps.files);
      const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
      const values = { ...ctx.vars, ...defined, ...secrets };
      const header = [
        `# Resolved compose configuration of ${ctx.rec.id} (secrets redacted).`,
        `# ${files.map((f) => relative(ctx.rec.path, f)).join(', ')} interpolated by ktrdr-sandbox with the inputs \`up\` gives compose:`,
        '# .env.sandbox, then the environment, then the instance secrets. `evidence --compose-config` runs `compose config` instead.',
        ...(composeError ? [`# \`compose config\` failed: ${composeError}`] : []),
      ];
      return `${header.join('\n')}\n${renderResolvedCompose(texts, values)}`;
    },
    null,
  );
}

export async function collectContainers(
  deps: Deps,
  ctx: InstanceContext,
  write: Write,
): Promise<{ containers: ContainerEvidence[]; composeVersion: string | null }> {
  let composeVersion: string | null = null;
  const [list, model] = await Promise.all([ctx.engine.listContainers({ projects: [ctx.rec.id], all: true }), modelOrNull(ctx)]);
  const sorted = [...list].sort((a, b) => Number(a.oneOff) - Number(b.oneOff) || byText(a.service, b.service) || byText(a.name, b.name));
  const seen = new Map<string, number>();
  const out = await Promise.all(
    sorted.map(async (c): Promise<ContainerEvidence> => {
      const n = (seen.get(`${c.oneOff}:${c.service}`) ?? 0) + 1;
      seen.set(`${c.oneOff}:${c.service}`, n);
      const logName = `logs/${c.oneOff ? `run-${c.service}-${c.id.slice(0, 12)}` : n > 1 ? `${c.service}-${n}` : c.service}.log`;
      const [details, log] = await Promise.all([
        ctx.engine.inspect(c.id).catch(() => null),
        ctx.engine
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
      out.push({
        service: s.name,
        name: '',
        id: '',
        oneOff: false,
        state: 'absent',
        status: 'no container',
        health: 'none',
        exitCode: null,
        restartCount: null,
        startedAt: null,
        finishedAt: null,
        oomKilled: null,
        ports: [],
        log: null,
      });
    }
  }
  return { containers: out, composeVersion };
}

export async function collectGit(deps: Deps, dir: string, attempt: Attempt): Promise<GitInfo> {
  const [branch, head, status, diffStat] = await Promise.all([
    attempt('git branch', () => deps.git.currentBranch(dir), null),
    attempt('git HEAD', () => deps.git.head(dir), null),
    attempt('git status', () => deps.git.status(dir), null),
    attempt('git diff --stat', () => deps.git.diffStat(dir), ''),
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
export async function collectVersions(
  deps: Deps,
  attempt: Attempt,
  labelVersion: Promise<string | null>,
): Promise<Record<string, unknown>> {
  const composeInfo = async (): Promise<ComposeInfo | { variant: string; version: string; command: string[]; source: string }> => {
    const v = await labelVersion;
    if (v)
      return {
        variant: v.startsWith('1.') ? 'v1' : 'v2',
        version: v,
        command: [],
        source: 'label com.docker.compose.version of the containers',
      };
    return deps.compose.info();
  };
  const [engine, compose, git] = await Promise.all([
    attempt('engine version', () => deps.engine.ping(), null),
    attempt('compose version', composeInfo, null),
    attempt('git version', () => deps.git.version(), null),
  ]);
  return {
    'ktrdr-sandbox': toolVersion,
    node: deps.env.nodeVersion,
    platform: `${deps.env.platform} ${deps.env.arch}`,
    engine: engine ? { version: engine.version, apiVersion: engine.apiVersion, endpoint: engine.endpoint } : null,
    compose: compose
      ? {
          variant: compose.variant,
          version: compose.version,
          ...('source' in compose ? { source: compose.source } : { command: compose.command.join(' ') }),
        }
      : null,
    git,
  };
}

/** The last `run` (see run.ts: <home>/runs/<id>.log) as last-run.log, plus any outputs kept under <home>/runs/<id>/. */
/** A file's text, or null when it cannot be read (missing, unreadable, a directory). */
function textOrNull(files: Files, file: string): string | null {
  try {
    return files.readText(file) ?? null;
  } catch {
    return null;
  }
}

export async function collectRunOutputs(deps: Deps, id: string, write: Write): Promise<string[]> {
  const last = textOrNull(deps.files, runLogPath(deps.home, id));
  const lastOut: string[] = [];
  if (last !== null) {
    await write('last-run.log', last);
    lastOut.push('last-run.log');
  }
  const src = join(deps.home, 'runs', id);
  let names: string[];
  try {
    const entries = await Promise.all(deps.files.list(src).map(async (n) => ({ n, st: await deps.tree.lstat(join(src, n)) })));
    names = entries
      .filter((e) => e.st?.kind === 'file')
      .map((e) => e.n)
      .sort();
  } catch {
    return lastOut;
  }
  const out: string[] = [...lastOut];
  await Promise.all(
    names.map(async (n) => {
      const text = textOrNull(deps.files, join(src, n));
      if (text === null) return;
      await write(`runs/${n}`, text);
      out.push(`runs/${n}`);
    }),
  );
  return out.sort();
}
