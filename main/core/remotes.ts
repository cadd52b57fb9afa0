// Where an instance runs (issue 13), as the core sees it: the engine its registry entry names, and — for an
// engine reached over ssh — the connection that carries its Docker socket, the slot's ports, the source sync and
// the image copy. Implemented in adapters/remote-engine.ts; faked (every instance local) in unit tests.
import type { Compose } from './world/compose';
import type { Engine } from './world/engine';
import type { PortProbe } from './world/host';
import type { EventSink } from './events';
import type { VolumeIo } from './snapshot-ports';
import type { SyncState } from '../shared/sync';
import type { InstanceRecord } from '../shared/types';

/** The Deps members that act on an engine: what changes when an instance runs elsewhere. */
export interface EngineSide {
  engine: Engine;
  compose: Compose;
  /** This machine's ports, where a port our own forward holds counts as free (it belongs to the instance). */
  ports: PortProbe;
  volumeIo: VolumeIo;
}

/** The ssh connection to a remote engine's host. */
export interface RemoteLink {
  /** The engine's name (its docker context) and endpoint (ssh://…). */
  engine: string;
  endpoint: string;
  /** Forward 127.0.0.1:P here to 127.0.0.1:P on the remote host, for each port. */
  forwardPorts(ports: number[]): Promise<void>;
  /** Drop these forwards. */
  cancelPorts(ports: number[]): Promise<void>;
  /** The ports this process forwarded over the link (every instance on that engine), sorted. */
  forwarded(): number[];
  /** Whether the ssh connection is up. */
  alive(): Promise<boolean>;
  /** The processes of the ssh connection here (its master): a port they hold is one of its own forwards. */
  ownPids(): Promise<number[]>;
  /** Copy dir to the same absolute path there (rsync; gitIgnore: what git ignores, .git and .env.sandbox* stay here). */
  syncDir(dir: string, opts?: { gitIgnore?: boolean }): Promise<{ ms: number; files: number }>;
  /** Is there a directory at this path there? (an NFS path map's remote side) */
  dirExists(dir: string): Promise<boolean>;
  /** Make a directory there (a shared data folder that does not exist here). */
  mkdir(dir: string): Promise<void>;
  /** Remove a directory there (the synced source, after destroy). */
  removeDir(dir: string): Promise<void>;
  /** Images present here but not there, copied (docker save | docker load); the names copied. */
  copyMissingImages(images: string[], emit: EventSink, id: string): Promise<string[]>;
  /** End the ssh connection (its forwards go with it); the next command on an instance there opens it again. */
  disconnect(): Promise<void>;
}

/** The engine of one instance: null side = the base deps' engine (the one this tool uses now). */
export interface InstanceEngine {
  /** The engine's name as `engines` lists it. */
  name: string;
  side: EngineSide | null;
  remote: RemoteLink | null;
}

export interface RemotesPort {
  /**
   * The engine `rec` runs on, connected: for an ssh engine the connection is (re-)established first (exit 4,
   * ENGINE_UNAVAILABLE, when it cannot be); a context that no longer exists is a STATE error.
   */
  connect(rec: InstanceRecord): Promise<InstanceEngine>;
  /** The background source sync of remote instances. */
  sync: SyncPort;
}

/**
 * Keeping a remote copy current while the instance runs: a recursive watch of directories, the watcher's state
 * (a small file per instance under the sandbox home), and the background watcher process itself (adapters/sync-watch.ts).
 */
export interface SyncPort {
  /** Watch dirs recursively; onChange(dir, path relative to it, or null when unknown). Returns the stop function. */
  watch(dirs: string[], onChange: (dir: string, rel: string | null) => void, onError: (err: Error) => void): () => void;
  /** The watcher state of an instance (`alive` filled in), or null when none was recorded. */
  read(id: string): SyncState | null;
  write(state: SyncState): void;
  remove(id: string): void;
  /** Start the background watcher (a detached `ktrdr-sandbox sync ID --watch`) unless one runs already. */
  start(id: string): Promise<{ pid: number; started: boolean }>;
  /** Stop it (SIGTERM, then SIGKILL after 2 s) and remove its state: whether one was running. */
  stop(id: string): Promise<boolean>;
}

/** The engine every instance has in a process with no other: the base deps' own. */
export const LOCAL_ENGINE: InstanceEngine = { name: 'default', side: null, remote: null };
