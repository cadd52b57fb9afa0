// The dashboard/tray handlers on an instance that runs on a remote engine (issue 13): they call the same core
// use-cases as the CLI, and the core picks the instance's engine — stop, logs and status act THERE (the remote
// side of a faked remotes port), never on the engine the dashboard itself talks to.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFiles } from '../../../main/adapters/files';
import { createGateStore } from '../../../main/adapters/gate-store';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import type { Compose, ComposeTarget, Deps } from '../../../main/core/deps';
import type { InstanceEngine, RemoteLink } from '../../../main/core/remotes';
import type { InstanceRecord } from '../../../main/shared/types';
import { createHandlers, type ServiceHandlers } from '../../../main/ui-backend/handlers';
import type { Platform, StateService } from '../../../main/ui-backend/types';
import { container, FakeClock, FakeEngine, FakeHttp, FakePortProbe, inertSync } from '../core/fakes';
import { fakeEnv } from '../core/memory-files';

const FIXTURE_COMPOSE = join(import.meta.dirname, '..', '..', 'fixtures', 'stack', 'docker-compose.sandbox.yml');
const ID = 'ktrdr--far';

let root: string;
let calls: string[];
let forwarded: Set<number>;
let local: FakeEngine;
let there: FakeEngine;
let h: ServiceHandlers;

function composeOf(where: string): Compose {
  return {
    down: async (t: ComposeTarget) => void calls.push(`${where} compose down ${t.project}`),
  } as unknown as Compose;
}

const link: RemoteLink = {
  engine: 'lab',
  endpoint: 'ssh://root@127.0.0.1:2222',
  forwardPorts: async (p) => void p.forEach((x) => forwarded.add(x)),
  cancelPorts: async (p) => void p.forEach((x) => forwarded.delete(x)),
  forwarded: () => [...forwarded].sort((a, b) => a - b),
  alive: async () => true,
  ownPids: async () => [],
  syncDir: async () => ({ ms: 1, files: 0 }),
  dirExists: async () => true,
  mkdir: async () => undefined,
  removeDir: async () => undefined,
  disconnect: async () => undefined,
  copyMissingImages: async () => [],
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-remote-handlers-'));
  const home = join(root, 'home');
  calls = [];
  forwarded = new Set();
  local = new FakeEngine([]);
  local.ping = async () => {
    throw new Error('the dashboard engine must not be asked about a remote instance');
  };
  there = new FakeEngine(
    [container('backend', { project: ID, id: 'c-backend', health: 'healthy' }), container('db', { project: ID, id: 'c-db' })],
    undefined,
    { 'c-backend': ['2026-01-01T00:00:00.000Z served by lab'] },
  );
  there.ping = async () => ({ endpoint: 'lab', version: '20.10', apiVersion: '1.41' });
  const on: InstanceEngine = {
    name: 'lab',
    side: { engine: there, compose: composeOf('remote'), ports: new FakePortProbe(), volumeIo: {} as Deps['volumeIo'] },
    remote: link,
  };
  const deps = {
    engine: local,
    compose: composeOf('local'),
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    secrets: { get: async () => ({}) },
    locks: { tryAcquire: async () => ({ release: async () => undefined }) },
    remotes: {
      connect: async (rec: InstanceRecord) => (rec.engine?.context === 'lab' ? on : { name: 'default', side: null, remote: null }),
      sync: inertSync(),
    },
    http: new FakeHttp(() => ({ status: 200, body: '{}' })),
    clock: new FakeClock(),
    files: nodeFiles,
    env: fakeEnv(),
    home,
    sharedHome: join(root, 'shared'),
  } as unknown as Deps;
  const path = join(root, ID);
  await mkdir(path, { recursive: true });
  await copyFile(FIXTURE_COMPOSE, join(path, 'docker-compose.sandbox.yml'));
  const rec: InstanceRecord = {
    id: ID,
    path,
    slot: 2,
    kind: 'worktree',
    repo: join(root, 'repo'),
    branch: 'far',
    createdAt: '2025-01-01T00:00:00.000Z',
    engine: { context: 'lab', endpoint: link.endpoint },
  };
  await deps.registry.update((reg) => void (reg.instances[ID] = rec));
  const state = {
    current: () => ({ busy: {} }),
    setBusy: () => undefined,
    refresh: async () => undefined,
  } as unknown as StateService;
  h = createHandlers({ deps, state, platform: {} as Platform, emitProgress: () => undefined, emitLog: () => undefined });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('handlers on an instance of a remote engine', () => {
  it('down stops it there and drops its forwards here', async () => {
    await h.down(ID);
    expect(calls).toEqual([`remote compose down ${ID}`]);
    expect(forwarded.size).toBe(0);
  });

  it('logs are read from that engine', async () => {
    expect(await h.logs(ID, 'backend')).toEqual(['2026-01-01T00:00:00.000Z served by lab']);
    expect(there.logCalls.map((c) => c.containerId)).toEqual(['c-backend']);
    expect(local.logCalls).toEqual([]);
  });

  it('status lists its containers there and names the engine and its connection', async () => {
    const s = await h.status(ID);
    expect(s.services.map((x) => x.service)).toEqual(['backend', 'db']);
    expect(s.engine).toMatchObject({ name: 'lab', tunnel: 'up' });
    expect(s.engine!.forwardedPorts.length).toBeGreaterThan(0); // the slot's ports came back with the connection
    expect(local.listCalls).toBe(0);
  });
});
