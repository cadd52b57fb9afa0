// The real outside world, assembled. Cheap: nothing touches the system, and no heavy library (dockerode,
// execa, write-file-atomic, ...) is even loaded, until a method needing it is called — `env` must not pay
// for dockerode, nor `list` for execa.
import os from 'node:os';
import path from 'node:path';
import type { Deps, FileTree, Git, Http, InstanceLocks, OverlayPort, SecretStore, Tcp } from '../core/deps';
import { systemClock } from './clock';
import { createArchive } from './archive';
import { createComposeModelCache } from './compose-model-cache';
import { resolveDockerEndpointFromSystem, type DockerEndpoint } from './docker-endpoint';
import { createEngineSide } from './engine-side';
import { nodeFiles } from './files';
import { createGateStore } from './gate-store';
import { createHostEnv } from './host-env';
import { lazyAdapter } from './lazy';
import { createRegistryStore } from './registry-store';
import { createSnapshotStore } from './snapshot-store';
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
const LOCKS = { tryAcquire: true } as const;
const SECRETS = { get: true, remove: true, set: true } as const;
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
export function createDeps(opts: CreateDepsOptions = {}): Deps & { endpoint: DockerEndpoint } {
  const env = opts.env ?? process.env;
  const home = sandboxHome(env);
  let endpoint: DockerEndpoint | undefined;
  const resolveEndpoint = () => (endpoint ??= resolveDockerEndpointFromSystem(env));
  const side = createEngineSide(env, resolveEndpoint);
  return {
    get endpoint() {
      return resolveEndpoint();
    },
    engine: side.engine,
    compose: side.compose,
    git: lazyAdapter<Git>(async () => (await import('./git')).createGit({ env }), GIT),
    ports: side.ports,
    // readiness probes and secrets: loaded by the commands that probe (status, gate) or start a stack
    http: lazyAdapter<Http>(async () => (await import('./http')).createHttp(), { get: true }),
    tcp: lazyAdapter<Tcp>(async () => (await import('./tcp')).createTcp(), { probe: true }),
    clock: systemClock,
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    secrets: lazyAdapter<SecretStore>(async () => (await import('./secret-store')).createSecretStore(home), SECRETS),
    composeModels: createComposeModelCache(home),
    locks: lazyAdapter<InstanceLocks>(async () => (await import('./instance-lock')).createInstanceLocks(home), LOCKS),
    snapshots: createSnapshotStore(home),
    volumeIo: side.volumeIo,
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
