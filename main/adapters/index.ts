// The real outside world, assembled. Cheap: besides resolving the Docker endpoint (a few stat/reads)
// nothing touches the system until a method is called.
import os from 'node:os';
import path from 'node:path';
import type { Deps } from '../core/deps';
import { systemClock } from './clock';
import { createCompose } from './compose';
import { dockerChildEnv, resolveDockerEndpointFromSystem, type DockerEndpoint } from './docker-endpoint';
import { createEngine } from './engine';
import { createGateStore } from './gate-store';
import { createGit } from './git';
import { createHttp } from './http';
import { createPortProbe } from './port-probe';
import { createRegistryStore } from './registry-store';
import { createSecretStore } from './secret-store';

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
  const endpoint = resolveDockerEndpointFromSystem(env);
  const home = sandboxHome(env);
  return {
    endpoint,
    engine: createEngine(endpoint, { env }),
    compose: createCompose({ dockerEnv: dockerChildEnv(endpoint), env }),
    git: createGit({ env }),
    ports: createPortProbe(),
    http: createHttp(),
    clock: systemClock,
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    secrets: createSecretStore(home),
    home,
    sharedHome: sharedHome(env),
  };
}

export { EngineUnavailableError } from '../core/deps';
export { ComposeCommandError, ComposeNotFoundError } from './compose';
export { GitCommandError } from './git';
export type { DockerEndpoint } from './docker-endpoint';
