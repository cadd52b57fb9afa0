// Restore and reset with fake engine, compose and copier: what is stopped, replaced, started and recreated,
// and what is refused before anything is touched.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../../../main/adapters/files';
import { fakeEnv } from './memory-files';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { createSnapshotStore } from '../../../main/adapters/snapshot-store';
import type { Deps } from '../../../main/core/deps';
import { localRemotes } from './fakes';
import { loadInstance, resolveInstance } from '../../../main/core/resolve';
import { composeHash } from '../../../main/core/snapshot-plan';
import type { VolumeIo } from '../../../main/core/snapshot-ports';
import type { SnapshotMeta } from '../../../main/shared/snapshot-types';
import type { ContainerInfo } from '../../../main/shared/types';
import { restoreIntoNewVolumes } from '../../../main/core/use-cases/snapshot-restore';
import { resetInstance } from '../../../main/core/use-cases/snapshot-reset';

const COMPOSE =
  'services:\n  db:\n    image: pg\n    volumes: ["postgres_data:/data"]\n  backend:\n    image: be\nvolumes:\n  postgres_data:\n';
let root: string;
let deps: Deps;
let calls: string[];
let existing: Set<string>;
let secrets: Record<string, string>;
let importFails: boolean;

const container = (service: string, state: ContainerInfo['state'] = 'running'): ContainerInfo => ({
  id: `c-${service}`,
  name: service,
  project: 'app--b',
  service,
  state,
  status: '',
  health: 'none',
  ports: [],
  oneOff: false,
});
let containers: ContainerInfo[];

async function storeSnapshot(name: string, over: Partial<SnapshotMeta> = {}): Promise<void> {
  const store = deps.snapshots!;
  const draft = await store.begin(name);
  await writeFile(draft.file('postgres_data.tar'), 'tar');
  const meta: SnapshotMeta = {
    version: 1,
    name,
    createdAt: '2026-01-01T00:00:00Z',
    repo: join(root, 'app'),
    source: { instance: 'app--a', path: '/x', branch: 'a' },
    commit: null,
    migrationHead: null,
    composeHash: composeHash([{ path: 'docker-compose.sandbox.yml', text: COMPOSE }]),
    composeFiles: ['docker-compose.sandbox.yml'],
    method: 'stopped',
    image: 'sha256:pg',
    volumes: [{ key: 'postgres_data', source: 'app--a_postgres_data', file: 'postgres_data.tar', bytes: 3, stored: 3, services: ['db'] }],
    secrets: ['KTRDR_DB_PASSWORD'],
    elapsedMs: 1,
    ...over,
  };
  await draft.commit(meta, { KTRDR_DB_PASSWORD: 'from-a' });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-snap-reset-'));
  const home = join(root, 'home');
  const path = join(root, 'app--b');
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'docker-compose.sandbox.yml'), COMPOSE);
  const registry = createRegistryStore(home);
  await registry.update((r) => {
    r.instances['app--b'] = {
      id: 'app--b',
      path,
      slot: 2,
      kind: 'worktree',
      repo: join(root, 'app'),
      branch: 'b',
      createdAt: '2026-01-01T00:00:00Z',
    };
  });
  calls = [];
  existing = new Set(['app--b_postgres_data']);
  secrets = { KTRDR_DB_PASSWORD: 'from-a' };
  importFails = false;
  containers = [container('db'), container('backend')];
  const io: VolumeIo = {
    containerImage: async () => 'sha256:pg',
    imageId: async () => 'sha256:pg',
    stop: async (ids) => (calls.push(`stop ${ids.join(',')}`), ids.map((id) => ({ id, exitCode: 0 }))),
    start: async (ids) => void calls.push(`start ${ids.join(',')}`),
    volumeExists: async (n) => existing.has(n),
    createVolume: async (n) => void calls.push(`create ${n}`),
    inspectVolume: async () => ({ exitCode: 0, output: '' }),
    exportVolume: async () => ({ bytes: 0, stored: 0 }),
    importVolume: async (spec, file, o) => {
      calls.push(`import ${spec.volume} ${file.split('/').slice(-2).join('/')} clear=${o.clear}`);
      if (importFails) throw new Error('engine hiccup');
      return { bytes: 3, via: 'local' };
    },
  };
  deps = {
    registry,
    home,
    sharedHome: join(root, 'shared'),
    clock: { now: () => Date.now(), sleep: async () => undefined },
    engine: {
      ping: async () => ({ endpoint: 'x', version: '1', apiVersion: '1' }),
      listContainers: async () => containers,
      exec: async () => ({ exitCode: 0, output: '' }),
    },
    compose: { up: async () => void calls.push('compose up') },
    secrets: {
      get: async () => ({ ...secrets }),
      set: async (_id: string, v: Record<string, string>) =>
        void (calls.push(`secrets ${Object.keys(v).join(',')}`), Object.assign(secrets, v)),
    },
    gates: { write: async () => undefined },
    snapshots: createSnapshotStore(home),
    volumeIo: io,
    files: nodeFiles, // the snapshot store under test is the real one, in a temp home
    env: fakeEnv(),
    remotes: localRemotes(),
  } as unknown as Deps;
  await storeSnapshot('s1');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reset', () => {
  it('refuses other compose files before stopping anything', async () => {
    await storeSnapshot('other', { composeHash: 'sha256:else' });
    await expect(resetInstance(deps, { id: 'app--b' }, { snapshot: 'other' })).rejects.toThrow(/compose files differ/);
    expect(calls).toEqual([]);
  });

  it('needs a snapshot: named, or the repository default', async () => {
    await expect(resetInstance(deps, { id: 'app--b' })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/no default snapshot/),
    });
    await expect(resetInstance(deps, { id: 'app--b' }, { snapshot: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(calls).toEqual([]);
  });

  it('starts what it stopped when the restore fails', async () => {
    importFails = true;
    await expect(resetInstance(deps, { id: 'app--b' }, { snapshot: 's1' })).rejects.toThrow(
      /Reset of "app--b" from "s1" failed: engine hiccup/,
    );
    expect(calls).toEqual(['stop c-db', 'import app--b_postgres_data s1/postgres_data.tar clear=true', 'start c-db']);
  });

  it("takes the snapshot's secrets and recreates through compose when they differ", async () => {
    secrets.KTRDR_DB_PASSWORD = 'own';
    const r = await resetInstance(deps, { id: 'app--b' }, { snapshot: 's1', timeoutMs: 1 }); // the gate has no real stack here
    expect(r.restore).toMatchObject({ snapshot: 's1', volumes: [{ volume: 'app--b_postgres_data' }] });
    expect(calls).toEqual([
      'stop c-db',
      'secrets KTRDR_DB_PASSWORD',
      'import app--b_postgres_data s1/postgres_data.tar clear=true',
      'compose up',
    ]);
  });
});

describe('restore into new volumes (create/up --snapshot)', () => {
  it("creates the missing volume with compose's labels and fills it", async () => {
    existing.clear();
    containers = [];
    const ctx = await loadInstance(deps, await resolveInstance(deps, { id: 'app--b' }));
    const r = await restoreIntoNewVolumes(deps, ctx, 's1', {}, () => undefined);
    expect(r).toMatchObject({
      snapshot: 's1',
      instance: 'app--b',
      volumes: [{ key: 'postgres_data', volume: 'app--b_postgres_data', bytes: 3 }],
      forced: [],
    });
    expect(calls).toEqual(['create app--b_postgres_data', 'import app--b_postgres_data s1/postgres_data.tar clear=false']);
  });

  it('refuses when the volume already exists (reset is the way to replace it)', async () => {
    const ctx = await loadInstance(deps, await resolveInstance(deps, { id: 'app--b' }));
    await expect(restoreIntoNewVolumes(deps, ctx, 's1', {}, () => undefined)).rejects.toMatchObject({
      code: 'STATE',
      message: expect.stringMatching(/already has app--b_postgres_data/),
      hint: expect.stringMatching(/reset app--b --snapshot s1/),
    });
    expect(calls).toEqual([]);
  });
});
