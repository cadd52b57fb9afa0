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
}

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
  /** The service's own healthcheck as written (durations in ms; absent when none or `disable: true`). */
  healthcheck?: ComposeHealthcheck;
  /** `depends_on`, long or short syntax: dependency → condition (short syntax: service_started). */
  dependsOn?: Record<string, DependsOnCondition>;
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** A compose healthcheck. `test` as written: ["CMD", …], ["CMD-SHELL", "…"], a string (shell form) or ["NONE"]. */
export interface ComposeHealthcheck {
  test: string[] | string;
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface ComposeModel {
  files: string[];
  services: Record<string, ComposeService>;
  externalNetworks: string[];
  externalVolumes: string[];
  /** Every ${VAR} referenced anywhere in the files. */
  variables: string[];
}
