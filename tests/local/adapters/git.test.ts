// Git adapter with real git in temp directories.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGit, GitCommandError } from '../../../main/adapters/git';
import { tempDir } from '../../integration/adapters/helpers';

const git = createGit();
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};
let root: string;
let removeRoot: () => Promise<void>;
let repo: string;

async function sh(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: { ...IDENTITY, HOME: root } });
  return r.stdout;
}

async function commit(cwd: string, file: string): Promise<void> {
  await writeFile(path.join(cwd, file), `${file}\n`);
  await sh(cwd, 'add', file);
  await sh(cwd, 'commit', '-q', '-m', `add ${file}`);
}

beforeAll(async () => {
  ({ dir: root, remove: removeRoot } = await tempDir('git'));
  repo = path.join(root, 'repo');
  await mkdir(repo);
  await sh(repo, 'init', '-q', '-b', 'main');
  await commit(repo, 'README.md');
});

afterAll(async () => {
  await removeRoot?.();
});

describe('Git', () => {
  it('version', async () => {
    expect(await git.version()).toMatch(/^\d+\.\d+/);
  });

  it('topLevel, head, currentBranch, branchExists', async () => {
    expect(await git.topLevel(repo)).toBe(repo);
    await mkdir(path.join(repo, 'sub', 'deeper'), { recursive: true });
    expect(await git.topLevel(path.join(repo, 'sub', 'deeper'))).toBe(repo);
    expect(await git.topLevel(root)).toBeNull();
    expect(await git.topLevel(path.join(root, 'does-not-exist'))).toBeNull();
    expect(await git.head(repo)).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.currentBranch(repo)).toBe('main');
    expect(await git.branchExists(repo, 'main')).toBe(true);
    expect(await git.branchExists(repo, 'nope')).toBe(false);
    expect(await git.mainRepo(path.join(repo, 'sub', 'deeper'))).toBe(repo);
    expect(await git.isLinkedWorktree(repo)).toBe(false);
  });

  it('an unborn branch has no head but a branch name', async () => {
    const fresh = path.join(root, 'fresh');
    await mkdir(fresh);
    await sh(fresh, 'init', '-q', '-b', 'trunk');
    expect(await git.head(fresh)).toBeNull();
    expect(await git.currentBranch(fresh)).toBe('trunk');
    expect(await git.unpushed(fresh)).toEqual({ count: 0, against: 'other local branches' });
    expect(await git.status(fresh)).toEqual({ dirty: false, files: [] });
  });

  it('worktree add (new branch), linked worktree facts, unpushed 0 → 1', async () => {
    const wt = path.join(root, 'wt-a');
    await git.worktreeAdd(repo, wt, { branch: 'sb/a', newBranch: true });
    expect(existsSync(path.join(wt, 'README.md'))).toBe(true);
    expect(await git.isLinkedWorktree(wt)).toBe(true);
    expect(await git.mainRepo(wt)).toBe(repo);
    await mkdir(path.join(wt, 'nested'));
    expect(await git.mainRepo(path.join(wt, 'nested'))).toBe(repo);
    expect(await git.topLevel(path.join(wt, 'nested'))).toBe(wt);
    expect(await git.currentBranch(wt)).toBe('sb/a');
    expect(await git.branchExists(repo, 'sb/a')).toBe(true);

    expect(await git.unpushed(wt)).toEqual({ count: 0, against: 'other local branches' });
    await commit(wt, 'feature.txt');
    expect(await git.unpushed(wt)).toEqual({ count: 1, against: 'other local branches' });
    // main has nothing that other branches lack
    expect(await git.unpushed(repo)).toEqual({ count: 0, against: 'other local branches' });

    // detached HEAD: the commit is on sb/a, so nothing is at risk
    await sh(wt, 'checkout', '-q', '--detach');
    expect(await git.currentBranch(wt)).toBeNull();
    expect(await git.unpushed(wt)).toEqual({ count: 0, against: 'other local branches' });
    await commit(wt, 'detached.txt');
    expect(await git.unpushed(wt)).toEqual({ count: 1, against: 'other local branches' });
    await sh(wt, 'checkout', '-q', 'sb/a');
  });

  it('worktree add from a start point, and of an existing branch', async () => {
    const base = await git.head(repo);
    const wt = path.join(root, 'wt-b');
    await git.worktreeAdd(repo, wt, { branch: 'sb/b', newBranch: true, from: 'main' });
    expect(await git.head(wt)).toBe(base);
    await git.worktreeRemove(repo, wt);
    expect(existsSync(wt)).toBe(false);
    await git.worktreeAdd(repo, wt, { branch: 'sb/b', newBranch: false });
    expect(await git.currentBranch(wt)).toBe('sb/b');
    await git.worktreeRemove(repo, wt);
    await git.deleteBranch(repo, 'sb/b');
    expect(await git.branchExists(repo, 'sb/b')).toBe(false);
  });

  it('errors carry git stderr', async () => {
    const err = await git.worktreeAdd(repo, path.join(root, 'wt-main'), { branch: 'main', newBranch: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    expect((err as Error).message).toMatch(/is already checked out at|is already used by worktree at/);
    expect((err as GitCommandError).code).toBe('GIT_FAILED');
    await expect(git.worktreeAdd(repo, path.join(root, 'wt-dup'), { branch: 'sb/a', newBranch: true })).rejects.toThrow(/already exists/);
    await expect(git.mainRepo(root)).rejects.toThrow(/not a git repository/);
  });

  it('status: clean, then dirty', async () => {
    const wt = path.join(root, 'wt-a');
    expect(await git.status(wt)).toEqual({ dirty: false, files: [] });
    await writeFile(path.join(wt, 'untracked.txt'), 'x');
    await writeFile(path.join(wt, 'README.md'), 'changed');
    const s = await git.status(wt);
    expect(s.dirty).toBe(true);
    expect(s.files).toEqual([' M README.md', '?? untracked.txt']);
  });

  it('worktree remove: refuses dirty without force, removes with force; prunes a deleted dir', async () => {
    const wt = path.join(root, 'wt-a');
    await expect(git.worktreeRemove(repo, wt)).rejects.toThrow(/contains modified or untracked files|--force/);
    await git.worktreeRemove(repo, wt, { force: true });
    expect(existsSync(wt)).toBe(false);
    await git.deleteBranch(repo, 'sb/a');

    const gone = path.join(root, 'wt-gone');
    await git.worktreeAdd(repo, gone, { branch: 'sb/gone', newBranch: true });
    await rm(gone, { recursive: true, force: true });
    await git.worktreeRemove(repo, gone);
    expect(await sh(repo, 'worktree', 'list')).not.toContain('wt-gone');
    await git.worktreePrune(repo);
    await git.deleteBranch(repo, 'sb/gone');
  });

  it('unpushed against remote branches when a remote exists', async () => {
    const remote = path.join(root, 'remote.git');
    await execa('git', ['init', '-q', '--bare', remote]);
    const clone = path.join(root, 'clone');
    await sh(repo, 'push', '-q', remote, 'main');
    await execa('git', ['clone', '-q', remote, clone], { env: { ...IDENTITY, HOME: root } });
    expect(await git.unpushed(clone)).toEqual({ count: 0, against: 'remote branches' });
    await commit(clone, 'local.txt');
    await commit(clone, 'local2.txt');
    expect(await git.unpushed(clone)).toEqual({ count: 2, against: 'remote branches' });
    // a new branch off the pushed commit has nothing unpushed
    await sh(clone, 'checkout', '-q', '-b', 'topic', 'origin/main');
    expect(await git.unpushed(clone)).toEqual({ count: 0, against: 'remote branches' });
  });
});
