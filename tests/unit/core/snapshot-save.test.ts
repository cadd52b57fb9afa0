// saveSnapshot with fake engine and copier: the order (stop → copy → start), and no snapshot at all when a
// service had to be killed (a torn copy) or the copy fails — the service is started again either way.
import { fakeEnv } from './memory-files';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../../../main/adapters/files';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { createSnapshotStore } from '../../../main/adapters/snapshot-store';
import type { Deps } from '../../../main/core/deps';
import { LOCAL_ENGINE } from '../../../main/core/remotes';
import type { VolumeIo } from '../../../main/core/snapshot-ports';
import type { ContainerInfo } from '../../../main/shared/types';
import { saveSnapshot } from '../../../main/core/use-cases/snapshot-save';

let root: string;
let deps: Deps;
let calls: string[];
let stopExit: number;
let exportFails: boolean;
let controlData: { exitCode: number; output: string };
let skip: ((path: string) => boolean) | undefined;

// pg_controldata of a cleanly stopped cluster whose shutdown checkpoint is in segment 0x25 (16 MB segments)
const SHUT_DOWN =
  'pgdata: .\nDatabase cluster state:               shut down\nLatest checkpoint location:           0/25000A70\n' +
  "Latest checkpoint's TimeLineID:       1\nBytes per WAL segment:                16777216\n";

const container = (service: string): ContainerInfo => ({
  id: `c-${service}`,
  name: service,
  project: 'app--a',
  service,
  state: 'running',
  status: 'Up',
  health: 'none',
  ports: [],
  oneOff: false,
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-snap-save-'));
  const home = join(root, 'home');
  const path = join(root, 'app--a');
  await mkdir(path, { recursive: true });
  await writeFile(
    join(path, 'docker-compose.sandbox.yml'),
    'services:\n  db:\n    image: pg\n    volumes: ["postgres_data:/data"]\n  backend:\n    image: be\nvolumes:\n  postgres_data:\n',
  );
  const registry = createRegistryStore(home);
  await registry.update((r) => {
    r.instances['app--a'] = {
      id: 'app--a',
      path,
      slot: 1,
      kind: 'worktree',
      repo: join(root, 'app'),
      branch: 'a',
      createdAt: '2026-01-01T00:00:00Z',
    };
  });
  calls = [];
  stopExit = 0;
  exportFails = false;
  controlData = { exitCode: 0, output: SHUT_DOWN };
  skip = undefined;
  const io: VolumeIo = {
    containerImage: async () => 'sha256:pg',
    imageId: async () => 'sha256:pg',
    stop: async (ids) => (calls.push(`stop ${ids.join(',')}`), ids.map((id) => ({ id, exitCode: stopExit }))),
    start: async (ids) => void calls.push(`start ${ids.join(',')}`),
    volumeExists: async () => true,
    createVolume: async () => undefined,
    inspectVolume: async (spec) => (calls.push(`inspect ${spec.volume}`), controlData),
    exportVolume: async (spec, file, _progress, o) => {
      calls.push(`export ${spec.volume} ${spec.labels['dev.ktrdr-sandbox.role']}`);
      skip = o?.skip;
      if (exportFails) throw new Error('disk full');
      await writeFile(file, 'x');
      return { bytes: 100, stored: 1 };
    },
    importVolume: async () => ({ bytes: 0, via: 'api' as const }),
  };
  deps = {
    registry,
    home,
    sharedHome: join(root, 'shared'),
    clock: { now: () => Date.now(), sleep: async () => undefined },
    engine: {
      ping: async () => ({ endpoint: 'x', version: '1', apiVersion: '1' }),
      listContainers: async () => [container('db'), container('backend')],
      exec: async () => ({ exitCode: 0, output: 'rev42 (head)\n' }),
    },
    git: { head: async () => 'abc' },
    secrets: { get: async () => ({ KTRDR_DB_PASSWORD: 'pw' }) },
    snapshots: createSnapshotStore(home),
    volumeIo: io,
    remotes: { connect: async () => LOCAL_ENGINE }, // the instance runs on this engine
    files: nodeFiles, // the snapshot store under test is the real one, in a temp home
    env: fakeEnv(),
  } as unknown as Deps;
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const snapshotEntries = async () => readdir(join(root, 'home', 'snapshots')).catch(() => []);

describe('snapshot save', () => {
  it('stops only the services using the volume, copies, starts them again, records the metadata', async () => {
    const s = await saveSnapshot(deps, { id: 'app--a' }, { name: 's1' });
    expect(calls).toEqual(['stop c-db', 'inspect app--a_postgres_data', 'export app--a_postgres_data snapshot', 'start c-db']);
    expect(s).toMatchObject({
      name: 's1',
      method: 'stopped',
      migrationHead: 'rev42 (head)',
      commit: 'abc',
      secrets: ['KTRDR_DB_PASSWORD'],
      volumes: [{ key: 'postgres_data', services: ['db'], bytes: 100 }],
    });
    expect(await snapshotEntries()).toEqual(['s1']);
    await expect(saveSnapshot(deps, { id: 'app--a' }, { name: 's1' })).rejects.toMatchObject({
      code: 'STATE',
      message: 'A snapshot "s1" already exists',
    });
  });

  it('refuses a copy of a service that had to be killed, and starts it again', async () => {
    stopExit = 137;
    await expect(saveSnapshot(deps, { id: 'app--a' }, { name: 's1' })).rejects.toThrow(/did not stop cleanly/);
    expect(calls).toEqual(['stop c-db', 'start c-db']);
    expect(await snapshotEntries()).toEqual([]); // no snapshot, no staging directory left behind
  });

  it('leaves nothing behind when the copy fails', async () => {
    exportFails = true;
    await expect(saveSnapshot(deps, { id: 'app--a' }, { name: 's1' })).rejects.toThrow('disk full');
    expect(calls).toEqual(['stop c-db', 'inspect app--a_postgres_data', 'export app--a_postgres_data snapshot', 'start c-db']);
    expect(await snapshotEntries()).toEqual([]);
  });

  it('leaves the WAL recycled past the shutdown checkpoint out of a PostgreSQL volume (the preset marks postgres_data)', async () => {
    await saveSnapshot(deps, { id: 'app--a' }, { name: 's1' });
    expect(skip?.('pg_wal/000000010000000000000026')).toBe(true);
    expect(skip?.('pg_wal/000000010000000000000025')).toBe(false); // the checkpoint's segment is kept
    expect(skip?.('base/1/1259')).toBe(false);
  });

  it('copies all WAL when the cluster was not shut down cleanly or pg_controldata cannot run', async () => {
    controlData = { exitCode: 0, output: SHUT_DOWN.replace('shut down', 'in production') };
    await saveSnapshot(deps, { id: 'app--a' }, { name: 's1' });
    expect(skip).toBeUndefined();
    controlData = { exitCode: 127, output: 'sh: pg_controldata: not found' };
    await saveSnapshot(deps, { id: 'app--a' }, { name: 's2' });
    expect(skip).toBeUndefined();
  });

  it('validates before stopping anything', async () => {
    await expect(saveSnapshot(deps, { id: 'app--a' }, { name: '../x' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(saveSnapshot(deps, { id: 'app--a' }, { name: 's', volumes: ['nope'] })).rejects.toThrow(/no named volume "nope"/);
    expect(calls).toEqual([]);
  });
});
