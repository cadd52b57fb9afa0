// Domain types shared by the core, the adapters and every surface (CLI, Electron, dashboard).
// This module is pure data: no Node, Electron or DOM imports, so the renderer may import it too.

export const MIN_SLOT = 0;
export const MAX_SLOT = 10;

/** How an instance directory relates to the user's repository. */
export type InstanceKind = 'worktree' | 'clone';

/** One registered instance, as stored in the registry. */
export interface InstanceRecord {
  id: string;
  path: string;
  slot: number;
  kind: InstanceKind;
  /** The main repository a worktree belongs to (the clone itself for a clone). */
  repo: string;
  branch: string | null;
  createdAt: string;
  /**
   * Who made the directory: `created` (by `create`: destroy may delete it after the risk check) or `init` (the
   * user's own checkout: never deleted, only unregistered). Entries written before this field existed: see
   * `originOf()` in main/core/registry.ts.
   */
  origin?: InstanceOrigin;
  /**
   * A create or destroy in progress (an intent record): the directory may be half made or half removed. The
   * next command repairs it once `pid` is dead (main/core/recovery.ts). Absent on a settled entry.
   */
  state?: InstanceState;
  /** The process doing `state` (with `state` only), and the host it runs on. */
  pid?: number;
  host?: string;
  /** `destroying`: the destroy was forced (the next command finishes it without a new risk check). */
  force?: boolean;
}

export type InstanceOrigin = 'created' | 'init';
export type InstanceState = 'creating' | 'destroying';

/** Why a slot must not be handed out by `create`. */
export interface BlacklistEntry {
  reason: string;
  at: string;
  port?: number;
  holder?: string;
}

export interface RegistryData {
  version: 1;
  instances: Record<string, InstanceRecord>;
  blacklist: Record<string, BlacklistEntry>;
}

export type ContainerState =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead';

export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** A container as seen through the compose labels. */
export interface ContainerInfo {
  id: string;
  name: string;
  project: string;
  service: string;
  state: ContainerState;
  /** Human status from the engine, e.g. "Up 3 minutes (healthy)". */
  status: string;
  health: ContainerHealth;
  ports: PublishedPort[];
  oneOff: boolean;
  /** compose working dir label, when present. */
  workingDir?: string;
}

export type InstanceStatus = 'running' | 'partial' | 'stopped' | 'missing';

/** Link to a web UI of an instance, built from a template and the slot's ports. */
export interface InstanceLink {
  name: string;
  label: string;
  url: string;
}

export type CheckState = 'pending' | 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  name: string;
  label: string;
  state: CheckState;
  message: string;
  attempts: number;
  startedAt: number;
  /** ms from gate start to the verdict of this check. */
  elapsedMs: number;
  /** services this check is about (for log tails on failure). */
  services: string[];
  details?: string[];
}

export interface GateReport {
  instance: string;
  passed: boolean;
  startedAt: string;
  elapsedMs: number;
  timeoutMs: number;
  checks: CheckResult[];
  /** last log lines of the services of failed checks. */
  logTails: Record<string, string[]>;
  /** Suggested fixes for recognised failures (e.g. a database volume with another password). */
  hints?: string[];
}

/** A light reading of an instance's compose file(s) (main/core/compose-model.ts). */
export interface ComposeService {
  name: string;
  profiles: string[];
  /** Raw `ports:` entries (short syntax strings, or long syntax rendered as "published:target"). */
  ports: string[];
  containerName?: string;
  hasHealthcheck: boolean;
}

export interface ComposeModel {
  files: string[];
  services: Record<string, ComposeService>;
  externalNetworks: string[];
  externalVolumes: string[];
  /** Every ${VAR} referenced anywhere in the files. */
  variables: string[];
}
