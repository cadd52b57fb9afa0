// list against in-memory files (no temp dir): entries whose directory is gone are pruned, or reported stale while
// their containers still run; orphans need this home's owner id (read from deps.files).
import { describe, expect, it } from 'vitest';
import { listInstances } from '../../../main/core/use-cases/list';
import { container, FakeEngine, fakeDeps, inertSync, localRemotes, record, registryWith } from './fakes';
import { fakeEnv, MemoryFiles } from './memory-files';

const HOME = '/home/u/.ktrdr/sandbox';

describe('listInstances', () => {
  it('prunes entries whose directory is gone, keeps stale ones with containers, hides creates in progress', async () => {
    const files = new MemoryFiles({ '/dev/app--a/.env.sandbox': 'INSTANCE_ID=app--a\n', [`${HOME}/owner-id`]: 'owner-1234567\n' });
    const reg = registryWith(
      record('app--a', 1, { path: '/dev/app--a' }),
      record('app--b', 2, { path: '/dev/app--b' }), // gone, nothing running: pruned
      record('app--c', 3, { path: '/dev/app--c' }), // gone, containers still there: stale
      record('app--d', 4, { path: '/dev/app--d', state: 'creating', pid: 4242, host: 'this-host' }), // being created
    );
    const engine = new FakeEngine([
      container('web', { project: 'app--c' }),
      container('web', { project: 'app--old', instance: 'app--old', owner: 'owner-1234567' }), // ours, unregistered
      container('web', { project: 'app--theirs', instance: 'app--theirs', owner: 'someone-else' }),
    ]);
    const deps = fakeDeps({
      files,
      env: fakeEnv({ alivePids: [4242] }),
      engine,
      home: HOME,
      registry: { file: `${HOME}/instances.json`, read: async () => reg, update: async (fn) => fn(reg) },
      gates: { read: async () => null, write: async () => undefined, remove: async () => undefined },
    });
    const r = await listInstances(deps);
    expect(r.instances.map((v) => v.id)).toEqual(['app--a', 'app--c']);
    expect(r.pruned.map((p) => p.id)).toEqual(['app--b']);
    expect(r.stale).toEqual(['app--c']);
    expect(Object.keys(reg.instances).sort()).toEqual(['app--a', 'app--c', 'app--d']);
    expect(r.orphans.map((o) => o.project)).toEqual(['app--old']);
  });

  it('a remote instance carries its source sync (as status shows it); a path-mapped or local one none', async () => {
    const files = new MemoryFiles({ '/dev/app--a/.env.sandbox': '', '/dev/app--far/.env.sandbox': '', '/dev/app--nfs/.env.sandbox': '' });
    const lab = { context: 'lab', endpoint: 'ssh://me@lab' };
    const reg = registryWith(
      record('app--a', 1, { path: '/dev/app--a' }),
      record('app--far', 2, { path: '/dev/app--far', engine: { ...lab, source: { mode: 'sync', remotePath: '/dev/app--far' } } }),
      record('app--nfs', 3, {
        path: '/dev/app--nfs',
        engine: { ...lab, source: { mode: 'path-map', remotePath: '/mnt/app--nfs', map: [{ local: '/dev', remote: '/mnt' }] } },
      }),
    );
    const state = (id: string) => ({ id, pid: 7, state: 'watching' as const, startedAt: '2026-12-07T00:00:00.000Z', syncs: 2 });
    const sync = { ...inertSync(), read: (id: string) => state(id) };
    const deps = fakeDeps({
      files,
      engine: new FakeEngine([]),
      home: HOME,
      registry: { file: `${HOME}/instances.json`, read: async () => reg, update: async (fn) => fn(reg) },
      gates: { read: async () => null, write: async () => undefined, remove: async () => undefined },
      remotes: { ...localRemotes(), sync },
    });
    const byId = Object.fromEntries((await listInstances(deps)).instances.map((v) => [v.id, v]));
    expect(byId['app--far']!.sync).toEqual(state('app--far'));
    expect(byId['app--nfs']!.sync).toBeUndefined();
    expect(byId['app--a']!.sync).toBeUndefined();
  });

  it('without an owner id in this home nothing unregistered is ours', async () => {
    const reg = registryWith();
    const deps = fakeDeps({
      files: new MemoryFiles(),
      engine: new FakeEngine([container('web', { project: 'app--old', instance: 'app--old', owner: 'owner-1234567' })]),
      home: HOME,
      registry: { file: `${HOME}/instances.json`, read: async () => reg, update: async (fn) => fn(reg) },
    });
    expect((await listInstances(deps)).orphans).toEqual([]);
  });
});
