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
  /** The Docker engine it runs on (registry v2, issue 13). Absent or `context: null`: the current engine. */
  engine?: InstanceEngine;
  /**
   * The instance's own choice of a shared data overlay (`create --shared-overlay`, `shared overlay ID on|off`):
   * true = every folder of the manifest's shared.mounts, a list = those folders, false = none (the shared folders
   * mounted read-write even when the manifest overlays them). Absent: the manifest's `shared.overlay` decides.
   */
  sharedOverlay?: boolean | string[];
}

export interface InstanceEngine {
  /** a docker context name ("default": the local engine); null = the engine this tool uses now */
  context: string | null;
  /** the context's endpoint when it was recorded (ssh://…): shown when the context has gone */
  endpoint?: string;
  /** how the source reaches a remote engine: synced there (rsync), or shared (NFS) and mapped */
  source?: { mode: 'sync' | 'path-map'; remotePath: string; localPath?: string; map?: PathMapEntry[] };
}

/** One NFS path mapping (`--path-map LOCAL=REMOTE`): what is at LOCAL here is at REMOTE on the engine's host. */
export interface PathMapEntry {
  local: string;
  remote: string;
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
  version: 2;
  instances: Record<string, InstanceRecord>;
  blacklist: Record<string, BlacklistEntry>;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** A bind or named volume a container mounts (what it reads and writes at `target`). */
export interface ContainerMount {
  type: 'bind' | 'volume';
  /** the path in the container */
  target: string;
  /** bind: the host path; volume: the volume's name */
  source: string;
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
  /** Its binds and named volumes, when the engine listed them (GET /containers/json does). */
  mounts?: ContainerMount[];
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
  /** Failed checks only: what failed, where, and what to do (the same content in CLI, JSON and dashboard). */
  failure?: GateFailure;
}

/**
 * Why a check failed. reason: `exited` (the service's container exited; exitCode is the container's),
 * `restarting` (restart loop), `not-started` (no container, or created and never started), `unhealthy`
 * (Docker says unhealthy and its own healthcheck still fails), `check-failed` (the check's own verdict;
 * exitCode is the exec command's, when it is an exec check), `timed-out` (the deadline came first).
 */
export interface GateFailure {
  /** the service the failure is about (absent for a check that names no service) */
  service?: string;
  reason: 'exited' | 'restarting' | 'not-started' | 'unhealthy' | 'check-failed' | 'timed-out';
  exitCode?: number;
  /** last log lines of that service (the same lines as GateReport.logTails[service]) */
  logTail?: string[];
  hint?: string;
}

/** Where a service's readiness came from: its healthcheck run by the gate, Docker's health, or no healthcheck. */
export type ReadinessSource = 'probe' | 'docker' | 'running';

export interface ServiceReadiness {
  ready: boolean;
  /** what decided it (absent while not ready) */
  source?: ReadinessSource;
  /** ms from gate start to when it was first seen ready */
  atMs?: number;
  /** Docker's own health at the verdict ("starting" while Docker has not run its check yet) */
  dockerHealth: ContainerHealth | 'no container';
  /** the gate's healthcheck probe: attempts made, and the last failure */
  probeAttempts?: number;
  probeFailure?: string;
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
  /** Per service (every service a plain `up` starts): ready or not, and which source decided. */
  readiness?: Record<string, ServiceReadiness>;
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
  /** The service's own healthcheck as written (durations in ms; absent when none or `disable: true`). */
  healthcheck?: ComposeHealthcheck;
  /** `volumes:` as written (short syntax strings, long syntax objects), every file's in order (NFS path maps). */
  volumes?: Array<string | Record<string, unknown>>;
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

/** One port of a slot (main/core/ports.ts computes them). */
export interface SlotPort {
  name: string;
  env: string;
  port: number;
  service?: string;
  /** false: no compose file reads this variable (the port keeps its place; see core/reconcile.ts). */
  used?: boolean;
}
