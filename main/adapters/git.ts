// Git (the CLI): worktrees, branches, status and unpushed commits.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Git, GitStatus, Unpushed } from '../core/deps';
import { SandboxError } from '../core/errors';
import { childEnv } from './child-env';

const MAX_STATUS_FILES = 50;

/** A git command failed; the message carries git's own stderr (e.g. "is already checked out at"). */
export class GitCommandError extends SandboxError {
  constructor(
    readonly command: string,
    readonly commandExitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(
      'GIT_FAILED',
      `\`${command}\` failed${commandExitCode !== undefined ? ` (exit ${commandExitCode})` : ''}: ${stderr.trim() || 'no error output'}`,
      {
        details: { command, exitCode: commandExitCode, stderr: stderr.trim() },
      },
    );
    this.name = 'GitCommandError';
  }
}

export interface GitOptions {
  env?: NodeJS.ProcessEnv;
}

function parseVersion(v: string): [number, number] {
  const m = /(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function createGit(opts: GitOptions = {}): Git {
  const env = childEnv(opts.env ?? process.env, {
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    // read-only commands (status) must not take index.lock away from the user's own git
    GIT_OPTIONAL_LOCKS: '0',
  });

  interface Result {
    ok: boolean;
    exitCode: number | undefined;
    stdout: string;
    stderr: string;
  }

  async function raw(cwd: string, args: string[]): Promise<Result> {
    if (!existsSync(cwd)) return { ok: false, exitCode: undefined, stdout: '', stderr: `directory ${cwd} does not exist` };
    const r = await execa('git', args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore', stripFinalNewline: true });
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    return {
      ok: r.exitCode === 0,
      exitCode: r.exitCode,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr:
        r.exitCode === undefined && !stderr
          ? r.cause instanceof Error
            ? r.cause.message
            : (r.shortMessage ?? 'git did not start')
          : stderr,
    };
  }

  async function git(cwd: string, args: string[]): Promise<string> {
    const r = await raw(cwd, args);
    if (!r.ok) throw new GitCommandError(['git', ...args].join(' '), r.exitCode, r.stderr);
    return r.stdout;
  }

  let versionText: Promise<string> | undefined;
  function version(): Promise<string> {
    if (!versionText) {
      versionText = git(os.tmpdir(), ['--version']).then((out) => out.replace(/^git version\s+/, '').trim());
      versionText.catch(() => {
        versionText = undefined;
      });
    }
    return versionText;
  }

  /** Absolute git dir and common dir of the work tree holding dir. */
  async function gitDirs(dir: string): Promise<{ gitDir: string; commonDir: string }> {
    const [maj, min] = parseVersion(await version());
    const absolute = maj > 2 || (maj === 2 && min >= 31);
    const args = absolute
      ? ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir']
      : ['rev-parse', '--git-dir', '--git-common-dir'];
    const out = (await git(dir, args)).split('\n');
    const gitDir = path.resolve(dir, out[0] ?? '');
    let commonDir = path.resolve(dir, out[1] ?? out[0] ?? '');
    if (!absolute && !existsSync(commonDir)) {
      // very old git printed the common dir relative to the top level
      const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
      commonDir = path.resolve(top, out[1] ?? '');
    }
    return { gitDir, commonDir };
  }

  return {
    version,

    async topLevel(dir) {
      const r = await raw(dir, ['rev-parse', '--show-toplevel']);
      return r.ok && r.stdout.trim() !== '' ? path.resolve(r.stdout.trim()) : null;
    },

    async mainRepo(dir) {
      const { commonDir } = await gitDirs(dir);
      // a normal repository: <main work tree>/.git; a bare one: the repository directory itself
      return path.basename(commonDir) === '.git' ? path.dirname(commonDir) : commonDir;
    },

    async isLinkedWorktree(dir) {
      const { gitDir, commonDir } = await gitDirs(dir);
      return gitDir !== commonDir;
    },

    async currentBranch(dir) {
      const r = await raw(dir, ['symbolic-ref', '--short', '-q', 'HEAD']);
      return r.ok && r.stdout.trim() !== '' ? r.stdout.trim() : null;
    },

    async branchExists(repo, branch) {
      const r = await raw(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`]);
      return r.ok;
    },

    async worktreeAdd(repo, wtPath, o) {
      const args = o.newBranch
        ? ['worktree', 'add', '-b', o.branch, wtPath, ...(o.from ? [o.from] : [])]
        : ['worktree', 'add', wtPath, o.branch];
      await git(repo, args);
    },

    async worktreeRemove(repo, wtPath, o = {}) {
      // A `git worktree add` killed mid-way leaves its worktree locked ("initializing"): neither `remove --force`
      // nor `prune` touches a locked one. Forced removal unlocks first (git finds it by path, dir or not).
      if (o.force) await git(repo, ['worktree', 'unlock', wtPath]).catch(() => undefined);
      if (existsSync(wtPath)) {
        await git(repo, ['worktree', 'remove', ...(o.force ? ['--force'] : []), wtPath]);
      }
      // a directory deleted by hand leaves a stale entry: prune drops it
      await git(repo, ['worktree', 'prune']);
    },

    async worktreePrune(repo) {
      await git(repo, ['worktree', 'prune']);
    },

    async worktreeMove(repo, from, to) {
      await git(repo, ['worktree', 'move', from, to]);
    },

    async deleteBranch(repo, branch) {
      await git(repo, ['branch', '-D', branch]);
    },

    async status(dir): Promise<GitStatus> {
      const out = await git(dir, ['status', '--porcelain=v1', '--untracked-files=normal']);
      const lines = out.split('\n').filter((l) => l.trim() !== '');
      return { dirty: lines.length > 0, files: lines.slice(0, MAX_STATUS_FILES) };
    },

    async statusAll(dir) {
      const out = await git(dir, [
        '-c',
        'core.quotePath=false',
        'status',
        '--porcelain=v1',
        '--untracked-files=normal',
        '--ignored=traditional',
      ]);
      return out.split('\n').filter((l) => l.trim() !== '');
    },

    async statusAgainst(repo, dir, ref) {
      const { commonDir } = await gitDirs(repo);
      const index = path.join(os.tmpdir(), `ktrdr-sandbox-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const base = ['-c', 'core.quotePath=false', `--git-dir=${commonDir}`, `--work-tree=${dir}`];
      const run = (args: string[]) =>
        execa('git', [...base, ...args], {
          cwd: dir,
          env: { ...env, GIT_INDEX_FILE: index },
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
          stripFinalNewline: true,
        });
      try {
        if (ref) {
          const ok = await raw(repo, ['rev-parse', '-q', '--verify', `${ref}^{commit}`]);
          if (ok.ok) {
            const rt = await run(['read-tree', ok.stdout.trim()]);
            if (rt.exitCode !== 0) throw new GitCommandError('git read-tree', rt.exitCode, String(rt.stderr));
          }
        }
        const r = await run(['status', '--porcelain=v1', '--untracked-files=normal', '--ignored=traditional']);
        if (r.exitCode !== 0) throw new GitCommandError('git status (against the main repository)', r.exitCode, String(r.stderr));
        return String(r.stdout)
          .split('\n')
          .filter((l) => l.trim() !== '');
      } finally {
        await import('node:fs/promises').then((f) => f.rm(index, { force: true })).catch(() => undefined);
      }
    },

    async unpushed(dir): Promise<Unpushed> {
      const head = await raw(dir, ['rev-parse', '-q', '--verify', 'HEAD']);
      const remotes = (await git(dir, ['remote'])).split('\n').filter((l) => l.trim() !== '');
      if (remotes.length > 0) {
        if (!head.ok) return { count: 0, against: 'remote branches' };
        const n = await git(dir, ['rev-list', '--count', 'HEAD', '--not', '--remotes']);
        return { count: Number(n.trim()) || 0, against: 'remote branches' };
      }
      const against = 'other local branches';
      if (!head.ok) return { count: 0, against };
      const branch = await raw(dir, ['symbolic-ref', '--short', '-q', 'HEAD']);
      const args = ['rev-list', '--count', 'HEAD', '--not'];
      // branch names cannot contain glob characters, so the name is an exact --exclude pattern
      if (branch.ok && branch.stdout.trim() !== '') args.push(`--exclude=${branch.stdout.trim()}`);
      args.push('--branches');
      const n = await git(dir, args);
      return { count: Number(n.trim()) || 0, against };
    },

    async head(dir) {
      const r = await raw(dir, ['rev-parse', '-q', '--verify', 'HEAD']);
      return r.ok && r.stdout.trim() !== '' ? r.stdout.trim() : null;
    },

    async diffStat(dir) {
      const head = await raw(dir, ['rev-parse', '-q', '--verify', 'HEAD']);
      return git(dir, head.ok ? ['diff', '--stat', 'HEAD'] : ['diff', '--stat', '--cached']);
    },
  };
}
