// Repairing a killed create, and the worktree-link test destroy relies on — on in-memory files (no temp dir):
// the core reaches the file system only through deps.files.
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Deps, Git } from '../../../main/core/deps';
import { interrupted, repairInterrupted, stagingPath } from '../../../main/core/recovery';
import type { RegistryData } from '../../../main/shared/types';
import { worktreeLinkOk } from '../../../main/core/use-cases/destroy-steps';
import { fakeDeps, record, registryWith } from './fakes';
import { fakeEnv, MemoryFiles } from './memory-files';

const PATH = '/dev/app--feat';
const DEAD = 777; // not in fakeEnv's running pids

function world(reg: RegistryData, files: MemoryFiles) {
  const gitCalls: string[] = [];
  const git = {
    worktreeRemove: async (_repo: string, path: string) => {
      gitCalls.push(`worktree remove ${path}`);
      await files.remove(path); // what git does to a checkout it removes
    },
    worktreePrune: async () => void gitCalls.push('worktree prune'),
    topLevel: async (dir: string) => dir,
    statusAll: async () => [],
  } as Partial<Git> as Git;
  const removed: string[] = [];
  const deps: Deps = fakeDeps({
    files,
    env: fakeEnv({ alivePids: [4242] }),
    git,
    registry: { file: '/h/instances.json', read: async () => reg, update: async (fn) => fn(reg) },
    gates: { read: async () => null, write: async () => undefined, remove: async (id) => void removed.push(`gate ${id}`) },
    secrets: { get: async () => ({}), remove: async (id) => void removed.push(`secrets ${id}`), set: async () => undefined },
  });
  return { deps, gitCalls, removed };
}

describe('interrupted create', () => {
  it('a dead process on this host is interrupted; a live one, or one on another host, is not', () => {
    const env = fakeEnv({ alivePids: [10] });
    const recs = [
      record('a', 1, { state: 'creating', pid: DEAD, host: 'this-host' }),
      record('b', 2, { state: 'creating', pid: 10, host: 'this-host' }),
      record('c', 3, { state: 'destroying', pid: DEAD, host: 'other-host' }),
      record('d', 4, { state: 'destroying', pid: DEAD }),
    ];
    expect(interrupted({ env }, recs).map((r) => r.id)).toEqual(['a', 'd']);
  });

  it('is rolled back: the staging checkout deleted whole, its empty folder too, the entry and its files forgotten', async () => {
    const staging = stagingPath(PATH);
    const files = new MemoryFiles({ [`${staging}/README.md`]: 'half a checkout', '/dev/repo/.git/HEAD': 'ref: refs/heads/main\n' });
    const reg = registryWith(record('app--feat', 2, { path: PATH, repo: '/dev/repo', state: 'creating', pid: DEAD, host: 'this-host' }));
    const w = world(reg, files);
    expect(await repairInterrupted(w.deps)).toEqual(['app--feat']);
    expect(files.exists(staging)).toBe(false);
    expect(files.exists(dirname(staging))).toBe(false); // the per-name staging folder, empty now
    expect(files.exists('/dev/repo/.git/HEAD')).toBe(true); // nothing else touched
    expect(reg.instances['app--feat']).toBeUndefined();
    expect(w.removed.sort()).toEqual(['gate app--feat', 'secrets app--feat']);
    expect(w.gitCalls).toContain('worktree prune');
  });

  it('a directory at the final path that is not its worktree is left alone (never a file lost)', async () => {
    const files = new MemoryFiles({ [`${PATH}/notes.txt`]: "someone else's" });
    const reg = registryWith(record('app--feat', 2, { path: PATH, repo: '/dev/repo', state: 'creating', pid: DEAD, host: 'this-host' }));
    const w = world(reg, files);
    const events: string[] = [];
    await repairInterrupted(w.deps, (e) => void (e.type === 'step' && events.push(e.label)));
    expect(files.readText(`${PATH}/notes.txt`)).toBe("someone else's");
    expect(events.some((l) => l.includes('is not its worktree, left alone'))).toBe(true);
  });

  it('a live owner is not touched', async () => {
    const staging = stagingPath(PATH);
    const files = new MemoryFiles({ [`${staging}/README.md`]: 'being checked out' });
    const reg = registryWith(record('app--feat', 2, { path: PATH, state: 'creating', pid: 4242, host: 'this-host' }));
    const w = world(reg, files);
    expect(await repairInterrupted(w.deps)).toEqual([]);
    expect(files.exists(`${staging}/README.md`)).toBe(true);
  });
});

describe('worktreeLinkOk', () => {
  it('a clone (.git directory) or a .git link to metadata that exists; not a dangling link or no .git', () => {
    const files = new MemoryFiles({
      '/w/clone/.git/HEAD': 'ref: refs/heads/main\n',
      '/w/linked/.git': 'gitdir: /w/repo/.git/worktrees/linked\n',
      '/w/repo/.git/worktrees/linked/HEAD': 'ref: refs/heads/linked\n',
      '/w/relative/.git': 'gitdir: ../repo/.git/worktrees/linked\n',
      '/w/dangling/.git': 'gitdir: /w/repo/.git/worktrees/gone\n',
      '/w/plain/file.txt': 'x',
    });
    expect(worktreeLinkOk(files, '/w/clone')).toBe(true);
    expect(worktreeLinkOk(files, '/w/linked')).toBe(true);
    expect(worktreeLinkOk(files, '/w/relative')).toBe(true);
    expect(worktreeLinkOk(files, '/w/dangling')).toBe(false);
    expect(worktreeLinkOk(files, '/w/plain')).toBe(false);
    expect(worktreeLinkOk(files, '/w/missing')).toBe(false);
  });
});
