// The Docker engine as the core sees it: queries, logs, exec, events, cleanup (adapters/engine.ts).
import type { ContainerInfo } from '../../shared/types';

/** Raised by any adapter when the Docker engine cannot be reached. */
export class EngineUnavailableError extends Error {
  readonly code = 'ENGINE_UNAVAILABLE';
  constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

export interface EngineInfo {
  endpoint: string;
  version: string;
  apiVersion: string;
}

export interface LogOptions {
  tail?: number;
  since?: number; // unix seconds
  timestamps?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface EngineEvent {
  project: string;
  service: string;
  action: string;
  containerId: string;
}

export interface ProjectResources {
  containers: string[];
  volumes: string[];
  networks: string[];
}

/** A container on a network, with the names it answers to there (compose service, aliases). */
export interface NetworkMember {
  id: string;
  name: string;
  project: string;
  service: string;
  aliases: string[];
  instance?: string;
  owner?: string;
}

/** One network an instance's containers join, and the other containers on it. */
export interface NetworkPeers {
  network: string;
  members: NetworkMember[];
}

/** Which objects of a compose project a removal may touch. */
export interface ProjectScope {
  /** Only objects labelled with this registry identity (and the project as instance). */
  owner?: string;
  /** Remove named volumes too (default true, as before). */
  volumes?: boolean;
}

/** State of one container from the engine's inspect (evidence bundles). */
export interface ContainerDetails {
  exitCode: number | null;
  restartCount: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** healthy | unhealthy | starting | none */
  health: string;
  oomKilled: boolean;
  /** The container's labels (e.g. com.docker.compose.version). */
  labels?: Record<string, string>;
  /** The healthcheck Docker runs for it (Config.Healthcheck, interpolated by compose), when it has one. */
  healthcheck?: ContainerHealthcheck;
}

/** A container's own healthcheck, as the engine reports it (durations in ms; 0 = Docker's default). */
export interface ContainerHealthcheck {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Docker engine queries. Lifecycle goes through the compose port (./compose.ts). */
export interface Engine {
  /** Fails with EngineUnavailableError within timeoutMs when the engine does not answer. */
  ping(timeoutMs?: number): Promise<EngineInfo>;
  /** ONE engine call: every container carrying a compose project label (optionally of these projects). */
  listContainers(opts?: { projects?: string[]; all?: boolean }): Promise<ContainerInfo[]>;
  logs(containerId: string, opts?: LogOptions): Promise<LogLine[]>;
  followLogs(containerId: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<() => void>;
  exec(containerId: string, cmd: string[], opts?: { timeoutMs?: number; env?: string[] }): Promise<ExecResult>;
  /** Containers, volumes and networks labelled with this compose project (scope.owner: and provably ours). */
  projectResources(project: string, scope?: ProjectScope): Promise<ProjectResources>;
  /** Force-remove what is labelled with this compose project (scope.owner: only provably ours). */
  removeProjectResources(project: string, scope?: ProjectScope): Promise<void>;
  /** Isolation: networks of a project's running containers and the other containers on them. */
  networkPeers(project: string): Promise<NetworkPeers[]>;
  /** Containers on a network with their aliases there; null when the network does not exist. */
  networkMembers(network: string): Promise<NetworkMember[] | null>;
  connectNetwork(network: string, container: string, aliases: string[]): Promise<void>;
  disconnectNetwork(network: string, container: string): Promise<void>;
  /** Stream container events of compose projects; returns an unsubscribe function. */
  events(onEvent: (e: EngineEvent) => void, onError: (err: Error) => void): Promise<() => void>;
  /** Exit code, restarts, start/finish times, health of one container (evidence). */
  inspect(containerId: string): Promise<ContainerDetails>;
  /** External networks/volumes a compose file expects (checked before `up`; created by `up --create-externals`, `doctor --fix`). */
  networkExists(name: string): Promise<boolean>;
  createNetwork(name: string, labels?: Record<string, string>): Promise<void>;
  volumeExists(name: string): Promise<boolean>;
  createVolume(name: string, labels?: Record<string, string>): Promise<void>;
}
