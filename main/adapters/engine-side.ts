// The Deps members that act on one Docker engine (core/remotes.ts EngineSide): the engine, compose, this machine's
// ports and volume I/O, for an endpoint — the base deps' own (index.ts createDeps) or a remote engine's over its
// forwarded socket (remote-engine.ts). Lazily loaded: nothing is read or imported until a method is called.
import type { Compose, Engine, PortProbe } from '../core/deps';
import type { EngineSide } from '../core/remotes';
import type { VolumeIo } from '../core/snapshot-ports';
import { dockerChildEnv, type DockerEndpoint } from './docker-endpoint';
import { lazyAdapter } from './lazy';

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
const COMPOSE = { info: true, up: true, down: true, stop: true, config: true, run: true, endLeftovers: true } as const;
const PORTS = { isFree: true, owner: true } as const;
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

export function createEngineSide(env: NodeJS.ProcessEnv, endpoint: () => DockerEndpoint): EngineSide {
  const engine = lazyAdapter<Engine>(async () => (await import('./engine')).createEngine(endpoint(), { env }), ENGINE);
  return {
    engine,
    // compose failures and hangs are checked against the engine: a lost engine is exit 4, one line
    compose: lazyAdapter<Compose>(
      async () =>
        (await import('./engine-watch')).watchCompose(
          (await import('./compose')).createCompose({ dockerEnv: dockerChildEnv(endpoint()), env }),
          engine,
        ),
      COMPOSE,
    ),
    ports: lazyAdapter<PortProbe>(async () => (await import('./port-probe')).createPortProbe(), PORTS),
    volumeIo: lazyAdapter<VolumeIo>(async () => (await import('./volume-io')).createVolumeIo(endpoint(), { env }), VOLUME_IO),
  };
}
