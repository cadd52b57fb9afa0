// The real outside world, assembled. Cheap: nothing touches the system, and no heavy library (dockerode,
// execa, write-file-atomic, ...) is even loaded, until a method needing it is called — `env` must not pay
// for dockerode, nor `list` for execa.
import os from 'node:os';
import path from 'node:path';
import type { Compose, Deps, Engine, FileTree, Git, InstanceLocks, OverlayPort, PortProbe } from '../core/deps';
import type { VolumeIo } from '../core/snapshot-ports';
import { systemClock } from './clock';
import { createArchive } from './archive';
import { createComposeModelCache } from './compose-model-cache';
import { dockerChildEnv, resolveDockerEndpointFromSystem, type DockerEndpoint } from './docker-endpoint';
import { nodeFiles } from './files';
import { createGateStore } from './gate-store';
import { createHostEnv } from './host-env';
import { createHttp } from './http';
import { lazyAdapter } from './lazy';
import { createRegistryStore } from './registry-store';
import { createSecretStore } from './secret-store';
import { createSnapshotStore } from './snapshot-store';
import { createTcp } from './tcp';
import { createEnginesPort } from './engines-port';
import { LOCAL_ENGINE } from '../core/remotes';
import { createSyncPort } from './sync-watch';

export interface CreateDepsOptions {
  env?: NodeJS.ProcessEnv;
}

export function sandboxHome(env: NodeJS.ProcessEnv): string {
  return env.KTRDR_SANDBOX_HOME || path.join(env.HOME || os.homedir(), '.ktrdr', 'sandbox');
}

export function sharedHome(env: NodeJS.ProcessEnv): string {
  return env.KTRDR_SHARED_HOME || path.join(env.HOME || os.homedir(), '.ktrdr', 'shared');
}

// The methods of each lazily loaded adapter (checked against its interface by lazyAdapter's type).
const ENGINE = {
  ping: true,
  listContainers: true,
  logs: true,
  followLogs: true,
  exec: true,
  projectResources: true,
  removeProjectResources: true,
  networkPeers: true,
  networkMembers: true,
  connectNetwork: true,
  disconnectNetwork: true,
  events: true,
  inspect: true,
  networkExists: true,
  createNetwork: true,
  volumeExists: true,
  createVolume: true,
} as const;
const COMPOSE = { info: true, up: true, down: true, stop: true, config: true, run: true } as const;
const GIT = {
  version: true,
  topLevel: true,
  mainRepo: true,
  isLinkedWorktree: true,
  currentBranch: true,
  branchExists: true,
  worktreeAdd: true,
  worktreeRemove: true,
  worktreePrune: true,
  worktreeMove: true,
  deleteBranch: true,
  status: true,
  statusAll: true,
  statusAgainst: true,
  unpushed: true,
  head: true,
  diffStat: true,
} as const;
const PORTS = { isFree: true, owner: true } as const;
const LOCKS = { tryAcquire: true } as const;
const TREE = {
  walk: true,
  sha256: true,
  tempDirBeside: true,
  lstat: true,
  copyFile: true,
  move: true,
  symlink: true,
  unlink: true,
  setMeta: true,
} as const;
const VOLUME_IO = {
  containerImage: true,
  imageId: true,
  stop: true,
  start: true,
  volumeExists: true,
  createVolume: true,
  exportVolume: true,
  importVolume: true,
  inspectVolume: true,
} as const;

export function createDeps(opts: CreateDepsOptions = {}): Deps & { endpoint: DockerEndpoint } {
  const env = opts.env ?? process.env;
  const home = sandboxHome(env);
  let endpoint: DockerEndpoint | undefined;
  const resolveEndpoint = () => (endpoint ??= resolveDockerEndpointFromSystem(env));
  const engine = lazyAdapter<Engine>(async () => (await import('./engine')).createEngine(resolveEndpoint(), { env }), ENGINE);
  return {
    get endpoint() {
      return resolveEndpoint();
    },
    engine,
    // compose failures and hangs are checked against the engine: a lost engine is exit 4, one line
    compose: lazyAdapter<Compose>(
      async () =>
        (await import('./engine-watch')).watchCompose(
          (await import('./compose')).createCompose({ dockerEnv: dockerChildEnv(resolveEndpoint()), env }),
          engine,
        ),
      COMPOSE,
    ),
    git: lazyAdapter<Git>(async () => (await import('./git')).createGit({ env }), GIT),
    ports: lazyAdapter<PortProbe>(async () => (await import('./port-probe')).createPortProbe(), PORTS),
    http: createHttp(),
    tcp: createTcp(),
    clock: systemClock,
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    secrets: createSecretStore(home),
    composeModels: createComposeModelCache(home),
    locks: lazyAdapter<InstanceLocks>(async () => (await import('./instance-lock')).createInstanceLocks(home), LOCKS),
    snapshots: createSnapshotStore(home),
    volumeIo: lazyAdapter<VolumeIo>(async () => (await import('./volume-io')).createVolumeIo(resolveEndpoint(), { env }), VOLUME_IO),
    overlay: lazyAdapter<OverlayPort>(async () => (await import('./overlay-probe')).createOverlayProbe(resolveEndpoint(), { env }), {
      probe: true,
    }),
    files: nodeFiles,
    tree: lazyAdapter<FileTree>(async () => (await import('./file-tree')).createFileTree(), TREE),
    archive: createArchive(),
    env: createHostEnv(env),
    engines: createEnginesPort(env, home),
    // an instance on the current engine reads no docker context and loads no ssh code (remote-engine.ts)
    remotes: {
      connect: async (rec) => (rec.engine?.context ? (await import('./remote-engine')).connectEngine(rec, env, home) : LOCAL_ENGINE),
      sync: createSyncPort(env, home), // the source-sync watchers of remote instances (their state: status, dashboard)
    },
    home,
    sharedHome: sharedHome(env),
  };
}

export { EngineUnavailableError } from '../core/deps';
export type { DockerEndpoint } from './docker-endpoint';
