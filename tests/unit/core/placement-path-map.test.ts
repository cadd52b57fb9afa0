// `--path-map` on create/move (use-cases/placement.ts): each LOCAL must exist here and each REMOTE on the engine's
// host (asked over the remote link), the instance's directory must lie under a LOCAL; the recorded source names the
// mapped directory. One-line errors with hints, nothing recorded on a refusal.
import { describe, expect, it } from 'vitest';
import type { RemoteLink } from '../../../main/core/remotes';
import { mappedEngine, withPathMap } from '../../../main/core/use-cases/placement';
import { fakeDeps, inertSync } from './fakes';
import { MemoryFiles } from './memory-files';

function deps(remoteDirs: string[], opts: { local?: boolean } = {}) {
  const asked: string[] = [];
  const remote = {
    engine: 'lab',
    endpoint: 'ssh://me@lab',
    dirExists: async (d: string) => (asked.push(d), remoteDirs.includes(d)),
  } as unknown as RemoteLink;
  const files = new MemoryFiles({ '/home/me/dev/x/file': '' });
  const d = fakeDeps({
    files,
    remotes: {
      connect: async () => (opts.local ? { name: 'default', side: null, remote: null } : { name: 'lab', side: null, remote }),
      sync: inertSync(),
    },
  });
  return { d, asked };
}
const lab = { context: 'lab', endpoint: 'ssh://me@lab' };

describe('withPathMap', () => {
  it('move: checked here and there, recorded with the instance directory mapped', async () => {
    const { d, asked } = deps(['/mnt/dev', '/mnt/dev/x']);
    const e = await withPathMap(d, lab, ['/home/me/dev/=/mnt/dev'], 'x', '/home/me/dev/x');
    expect(e).toEqual({
      ...lab,
      source: {
        mode: 'path-map',
        remotePath: '/mnt/dev/x',
        localPath: '/home/me/dev/x',
        map: [{ local: '/home/me/dev', remote: '/mnt/dev' }],
      },
    });
    expect(asked).toEqual(['/mnt/dev', '/mnt/dev/x']);
  });

  it('REMOTE missing there: one line naming the engine, with a hint', async () => {
    const { d } = deps([]);
    await expect(withPathMap(d, lab, ['/home/me/dev=/mnt/dev'], 'x')).rejects.toMatchObject({
      code: 'STATE',
      message: '--path-map: /mnt/dev does not exist on lab (ssh://me@lab)',
      hint: expect.stringMatching(/Mount the share there first/),
    });
  });

  it('LOCAL missing here, or a local engine: refused before anything is asked there', async () => {
    const { d, asked } = deps(['/mnt/dev']);
    await expect(withPathMap(d, lab, ['/nowhere=/mnt/dev'], 'x')).rejects.toMatchObject({
      code: 'USAGE',
      message: '--path-map: /nowhere does not exist on this machine',
    });
    const local = deps(['/mnt/dev'], { local: true });
    await expect(withPathMap(local.d, lab, ['/home/me/dev=/mnt/dev'], 'x')).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/is for an engine on another machine/),
    });
    expect(asked).toEqual([]);
  });
});

describe('mappedEngine (create: the new worktree path)', () => {
  const engine = {
    ...lab,
    source: { mode: 'path-map' as const, remotePath: '/mnt/dev', map: [{ local: '/home/me/dev', remote: '/mnt/dev' }] },
  };
  it('the worktree under LOCAL: its mapped path recorded', () => {
    expect(mappedEngine(engine, '/home/me/dev/repo--x', 'repo--x').source).toMatchObject({
      remotePath: '/mnt/dev/repo--x',
      localPath: '/home/me/dev/repo--x',
    });
  });
  it('under no LOCAL: refused (before create makes anything)', () => {
    expect(() => mappedEngine(engine, '/tmp/repo--x', 'repo--x')).toThrow(
      /^\/tmp\/repo--x is under no mapped path \(\/home\/me\/dev → \/mnt\/dev\)/,
    );
  });
});
