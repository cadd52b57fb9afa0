// The dashboard's snapshot channels: arguments checked before anything runs, snapshots of the current repository.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../main/shared/contract';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { createSnapshotStore } from '../../../main/adapters/snapshot-store';
import type { Deps, Git } from '../../../main/core/deps';
import type { SnapshotMeta } from '../../../main/shared/snapshot-types';
import { createHandlers, type ServiceHandlers } from '../../../main/ui-backend/handlers';
import type { Platform, StateService } from '../../../main/ui-backend/types';
import { nodeFiles } from '../../../main/adapters/files';

let root: string;
let h: ServiceHandlers;
let busy: [string, string | null][];

function meta(name: string, repo: string): SnapshotMeta {
  return {
    version: 1,
    name,
    createdAt: `2026-01-0${name.length}T00:00:00Z`,
    repo,
    source: { instance: 'x--a', path: '/x--a', branch: 'a' },
    commit: null,
    migrationHead: null,
    composeHash: 'sha256:1',
    composeFiles: ['c.yml'],
    method: 'stopped',
    image: 'sha256:i',
    volumes: [],
    secrets: [],
    elapsedMs: 1,
  };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-snap-handlers-'));
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  await mkdir(repo, { recursive: true });
  const git: Partial<Git> = { topLevel: async (d: string) => (d.startsWith(repo) ? repo : null), mainRepo: async (d: string) => d };
  const snapshots = createSnapshotStore(home);
  for (const [name, r] of [
    ['mine', repo],
    ['other', '/elsewhere'],
  ] as const) {
    await mkdir(join(snapshots.root, name), { recursive: true });
    await writeFile(join(snapshots.root, name, 'meta.json'), JSON.stringify(meta(name, r)));
  }
  await snapshots.setDefault(repo, 'mine');
  const deps = { registry: createRegistryStore(home), git, home, snapshots, volumeIo: {}, files: nodeFiles } as unknown as Deps;
  busy = [];
  const snap: Snapshot = {
    engine: { state: 'up', endpoint: 'x', version: '1' },
    instances: [],
    orphans: [],
    busy: {},
    repository: repo,
    problems: [],
    updatedAt: 1,
  };
  const state = {
    current: () => snap,
    setBusy: (id: string, op: string | null) => void busy.push([id, op]),
    refresh: async () => snap,
  } as unknown as StateService;
  const platform = { settings: { get: () => ({ repositoryRoot: null }), set: () => ({}) } } as unknown as Platform;
  h = createHandlers({ deps, state, platform, emitProgress: () => undefined, emitLog: () => undefined });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('snapshot channels', () => {
  it('list the snapshots of the current repository, its default marked', async () => {
    const list = await h.snapshots();
    expect(list.map((s) => [s.name, s.isDefault])).toEqual([['mine', true]]);
  });

  it('refuse bad snapshot names before anything runs', async () => {
    await expect(h.reset('x--a', { snapshot: '../../etc' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.reset('x--a', { force: 'yes' } as never)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.create({ name: 'b', snapshot: '../x' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.create({ name: 'b', snapshot: 42 as never })).rejects.toMatchObject({ code: 'USAGE' });
    expect(busy).toEqual([]);
  });

  it('create with an unknown snapshot fails before a worktree is made', async () => {
    await expect(h.create({ name: 'b', snapshot: 'missing' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No snapshot "missing"',
    });
  });
});
