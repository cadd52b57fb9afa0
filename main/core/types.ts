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
  /** Our ownership labels (main/core/labels.ts), when the container carries them. */
  instance?: string;
  owner?: string;
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
  /** Networks the service joins (keys of the top-level `networks:`; `default` when it names none). */
  networks?: string[];
  /** Extra DNS aliases the service declares on its networks (its name is always one). */
  aliases?: string[];
  /** OTEL_* variables of its `environment:` (raw values, null when given without a value). */
  otelEnv?: Record<string, string | null>;
}

/** A top-level network or volume of the compose file(s). */
export interface ComposeResource {
  key: string;
  external: boolean;
  /** The engine name when fixed by `name:` (or the external name); absent: compose names it <project>_<key>. */
  name?: string;
  /** The definition as written (later files replace earlier ones), for a faithful copy in the override. */
  raw: Record<string, unknown>;
}

export interface ComposeModel {
  files: string[];
  services: Record<string, ComposeService>;
  externalNetworks: string[];
  externalVolumes: string[];
  /** Every ${VAR} referenced anywhere in the files. */
  variables: string[];
  /** The top-level `version:` of the file(s), when one declares it. */
  version?: string;
  /** Top-level networks and volumes by key. */
  networks?: Record<string, ComposeResource>;
  volumes?: Record<string, ComposeResource>;
}
