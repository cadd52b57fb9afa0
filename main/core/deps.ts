// The outside world as the core sees it. Each interface is implemented once in main/adapters/
// (dockerode, compose CLI, git CLI, sockets, files) and faked in unit tests.
// The ports live in ./world/ by family and are re-exported here, so a use-case imports them from one place.
import type { SnapshotStore, VolumeIo } from './snapshot-ports';
import type { EnginesPort } from './engines';
import type { RemotesPort } from './remotes';
import type { Compose } from './world/compose';
import type { Engine } from './world/engine';
import type { Archive, FileTree, Files } from './world/files';
import type { Git } from './world/git';
import type { OverlayPort } from './world/overlay';
import type { Clock, HostEnv, Http, PortProbe, Tcp } from './world/host';
import type { ComposeModelCache, GateStore, InstanceLocks, RegistryStore, SecretStore } from './world/stores';
export * from './world/compose';
export * from './world/engine';
export * from './world/files';
export * from './world/git';
export * from './world/host';
export * from './world/overlay';
export * from './world/stores';

export interface Deps {
  engine: Engine;
  compose: Compose;
  git: Git;
  ports: PortProbe;
  http: Http;
  tcp: Tcp;
  clock: Clock;
  registry: RegistryStore;
  gates: GateStore;
  secrets: SecretStore;
  /** Per-instance operation locks (main/adapters/instance-lock.ts). */
  locks: InstanceLocks;
  /** Parsed compose models (a cache). */
  composeModels: ComposeModelCache;
  /** Root of our state: ~/.ktrdr/sandbox (or $KTRDR_SANDBOX_HOME). */
  home: string;
  /** Shared data root: ~/.ktrdr/shared. */
  sharedHome: string;
  /** Volume snapshots (issue 14): where they are kept, and the helper-container copier. */
  snapshots: SnapshotStore;
  volumeIo: VolumeIo;
  /** Probes the engine for shared-data overlays (adapters/overlay-probe.ts). */
  overlay: OverlayPort;
  files: Files;
  tree: FileTree;
  archive: Archive;
  env: HostEnv;
  /** Docker contexts, their probe, last-seen stats (issue 13: placement, capacity). */
  engines: EnginesPort;
  /** The engine each instance runs on, and the ssh connection to a remote one (issue 13). */
  remotes: RemotesPort;
}
