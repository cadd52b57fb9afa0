// The real outside world, assembled. Cheap: nothing touches the system, and no heavy library (dockerode,
// execa, write-file-atomic, ...) is even loaded, until a method needing it is called — `env` must not pay
// for dockerode, nor `list` for execa.
import os from 'node:os';
import path from 'node:path';
import type { Deps } from '../core/deps';
import { systemClock } from './clock';
import { createComposeModelCache } from './compose-model-cache';
import { dockerChildEnv, resolveDockerEndpointFromSystem, type DockerEndpoint } from './docker-endpoint';
import { createGateStore } from './gate-store';
import { createHttp } from './http';
import { lazyAdapter } from './lazy';
import { createRegistryStore } from './registry-store';
import { createSecretStore } from './secret-store';
import { createSnapshotStore } from './snapshot-store';
import { createTcp } from './tcp';
import { createEnginesPort } from './engines-port';

export interface CreateDepsOptions {
  env?: NodeJS.ProcessEnv;
}

export function sandboxHome(env: NodeJS.ProcessEnv): string {
  return env.KTRDR_SANDBOX_HOME || path.join(env.HOME || os.homedir(), '.ktrdr', 'sandbox');
}

export function sharedHome(env: NodeJS.ProcessEnv): string {
  return env.KTRDR_SHARED_HOME || path.join(env.HOME || os.homedir(), '.ktrdr', 'shared');
}

export function createDeps(opts: CreateDepsOptions = {}): Deps & { endpoint: DockerEndpoint } {
  const env = opts.env ?? process.env;
  const home = sandboxHome(env);
  let endpoint: DockerEndpoint | undefined;
  const resolveEndpoint = () => (endpoint ??= resolveDockerEndpointFromSystem(env));
  const engine = lazyAdapter(async () => (await import('./engine')).createEngine(resolveEndpoint(), { env }));
  return {
    get endpoint() {
      return resolveEndpoint();
    },
    engine,
    // compose failures and hangs are checked against the engine: a lost engine is exit 4, one line
    compose: lazyAdapter(async () => (await import('./engine-watch')).watchCompose((await import('./compose')).createCompose({ dockerEnv: dockerChildEnv(resolveEndpoint()), env }), engine)),
    git: lazyAdapter(async () => (await import('./git')).createGit({ env })),
    ports: lazyAdapter(async () => (await import('./port-probe')).createPortProbe()),
    http: createHttp(),
    tcp: createTcp(),
    clock: systemClock,
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    secrets: createSecretStore(home),
    composeModels: createComposeModelCache(home),
    locks: lazyAdapter(async () => (await import('./instance-lock')).createInstanceLocks(home)),
    snapshots: createSnapshotStore(home),
    volumeIo: lazyAdapter(async () => (await import('./volume-io')).createVolumeIo(resolveEndpoint(), { env })),
    engines: createEnginesPort(env, home),
    home,
    sharedHome: sharedHome(env),
  };
}

export { EngineUnavailableError } from '../core/deps';
export type { DockerEndpoint } from './docker-endpoint';
