// The state service tests' world: a scripted default engine (containers, events, crashes), real registry and gate
// files in a temp dir, and a wait for the snapshot a test expects.
import { fakeEnv } from '../core/memory-files';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../../main/shared/contract';
import { createGateStore } from '../../../main/adapters/gate-store';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { nodeFiles } from '../../../main/adapters/files';
import { systemClock } from '../../../main/adapters/clock';
import type { EnginesPort } from '../../../main/core/engines';
import { EngineUnavailableError, type Deps, type Engine, type EngineEvent } from '../../../main/core/deps';
import type { ContainerInfo, InstanceRecord } from '../../../main/shared/types';
import type { LiveStateService } from '../../../main/ui-backend/state-service';
import { container, FIXTURE_SERVICES, localRemotes } from '../core/fakes';

export const SERVICES = FIXTURE_SERVICES;
const FIXTURE_COMPOSE = join(import.meta.dirname, '..', '..', 'fixtures', 'stack', 'docker-compose.sandbox.yml');

export class ScriptedEngine {
  containers: ContainerInfo[] = [];
  up = true;
  listCalls = 0;
  listDelayMs = 0;
  subscribers: { onEvent: (e: EngineEvent) => void; onError: (e: Error) => void }[] = [];
  async ping() {
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    return { endpoint: '/var/run/docker.sock', version: '20.10.24', apiVersion: '1.41' };
  }
  async listContainers() {
    this.listCalls++;
    if (this.listDelayMs) await new Promise((r) => setTimeout(r, this.listDelayMs));
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    return this.containers.map((c) => ({ ...c }));
  }
  async events(onEvent: (e: EngineEvent) => void, onError: (e: Error) => void) {
    if (!this.up) throw new EngineUnavailableError('Cannot connect to the Docker daemon', '/var/run/docker.sock');
    const sub = { onEvent, onError };
    this.subscribers.push(sub);
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== sub);
    };
  }
  emit(e: Partial<EngineEvent>) {
    for (const s of this.subscribers) s.onEvent({ project: 'p', service: 's', action: 'die', containerId: 'c', ...e });
  }
  /** The engine stops: the event stream ends. */
  crash() {
    this.up = false;
    for (const s of [...this.subscribers]) s.onError(new EngineUnavailableError('Docker event stream ended', '/var/run/docker.sock'));
    this.subscribers = [];
  }
}

/** A temp dir with a real registry and gate store, a scripted default engine, and every instance local. */
export interface StateWorld {
  root: string;
  home: string;
  engine: ScriptedEngine;
  deps: Deps;
  /** The instance registered at the start (ktrdr--feat-a, slot 1), all its containers running on the engine. */
  rec: InstanceRecord;
  /** A registered instance whose directory holds the fixture's compose file. */
  register(id: string, slot: number): Promise<InstanceRecord>;
  cleanup(): Promise<void>;
}

/**
 * The engines port of a machine with one engine (the scripted one): 8 GiB, nothing measured yet, the compose
 * files' limits unread. The tests across engines (state-service-engines.test.ts) put their own in its place.
 */
function defaultEngineOnly(): EnginesPort {
  return {
    targets: () => [{ name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true }],
    probe: async () => ({ version: '20.10.24', cpus: 2, memTotal: 8 * 1024 ** 3, running: [], memUsage: {} }),
    listContainers: async () => [],
    lastSeen: () => null,
    remember: () => undefined,
    composeDocs: async () => [],
  };
}

export async function stateWorld(): Promise<StateWorld> {
  const root = await mkdtemp(join(tmpdir(), 'kts-state-'));
  const home = join(root, 'home');
  const engine = new ScriptedEngine();
  const deps = {
    engine: engine as unknown as Engine,
    clock: systemClock,
    env: fakeEnv(),
    engines: defaultEngineOnly(),
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    files: nodeFiles,
    remotes: localRemotes(),
    home,
    sharedHome: join(root, 'shared'),
  } as unknown as Deps;
  async function register(id: string, slot: number): Promise<InstanceRecord> {
    const path = join(root, 'src', id);
    await mkdir(path, { recursive: true });
    await copyFile(FIXTURE_COMPOSE, join(path, 'docker-compose.sandbox.yml'));
    const r: InstanceRecord = {
      id,
      path,
      slot,
      kind: 'worktree',
      repo: join(root, 'src', 'ktrdr'),
      branch: id,
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    await deps.registry.update((reg) => void (reg.instances[id] = r));
    return r;
  }
  const rec = await register('ktrdr--feat-a', 1);
  engine.containers = SERVICES.map((s) => container(s, { project: rec.id, id: `id-${s}` }));
  return { root, home, engine, deps, rec, register, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function waitFor(s: LiveStateService, pred: (snap: Snapshot) => boolean, ms = 2000): Promise<Snapshot> {
  if (pred(s.current())) return Promise.resolve(s.current());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out; last snapshot: ${JSON.stringify(s.current()).slice(0, 600)}`));
    }, ms);
    const off = s.onChange((snap) => {
      if (pred(snap)) {
        clearTimeout(t);
        off();
        resolve(snap);
      }
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
