// The outside world as the core sees it. Each interface is implemented once in main/adapters/
// (dockerode, compose CLI, git CLI, sockets, files) and faked in unit tests.
import type { ComposeModel, ContainerInfo, GateReport, RegistryData } from './types';
import type { SnapshotStore, VolumeIo } from './snapshot-ports';
import type { EnginesPort } from './engines';
import type { RemotesPort } from './remotes';

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

/** Docker engine queries (dockerode). Lifecycle goes through Compose. */
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

export interface ComposeTarget {
  project: string;
  projectDir: string;
  files: string[];
  envFile: string;
  /** Extra environment (e.g. secrets), never written to disk by the adapter. */
  env?: Record<string, string>;
  /** Stops the compose process (the engine was found gone while it ran). */
  signal?: AbortSignal;
}

export interface ComposeInfo {
  variant: 'v2' | 'v1';
  command: string[];
  version: string;
}

export interface ComposeRunOptions {
  /** Stream output through instead of capturing it. */
  inheritStdio?: boolean;
  onOutput?: (chunk: string) => void;
}

/** The compose binary: `docker compose` (v2) when present, else `docker-compose` (v1). */
export interface Compose {
  info(): Promise<ComposeInfo>;
  /**
   * services: only these (with noDeps: `--no-deps`, compose then neither starts nor waits for their dependencies).
   * `signal` aborting stops compose (the start is cancelled).
   */
  up(
    target: ComposeTarget,
    opts?: { build?: boolean; onOutput?: (line: string) => void; services?: string[]; noDeps?: boolean; signal?: AbortSignal },
  ): Promise<void>;
  down(target: ComposeTarget, opts?: { volumes?: boolean }): Promise<void>;
  stop(target: ComposeTarget): Promise<void>;
  /** The resolved configuration (YAML text). */
  config(target: ComposeTarget): Promise<string>;
  /** `run --rm SERVICE CMD…`; resolves with the exit code. */
  run(target: ComposeTarget, service: string, cmd: string[], opts?: ComposeRunOptions): Promise<{ exitCode: number; output: string }>;
}

export interface GitStatus {
  dirty: boolean;
  /** porcelain lines, at most a few dozen */
  files: string[];
}

export interface Unpushed {
  count: number;
  /** what the commits were compared with, e.g. "remote branches" or "other local branches" */
  against: string;
}

export interface Git {
  version(): Promise<string>;
  /** Top level of the working tree holding dir, or null when dir is not in a git work tree. */
  topLevel(dir: string): Promise<string | null>;
  /** The main repository of dir (for a linked worktree: its main work tree; else the top level). */
  mainRepo(dir: string): Promise<string>;
  isLinkedWorktree(dir: string): Promise<boolean>;
  currentBranch(dir: string): Promise<string | null>;
  branchExists(repo: string, branch: string): Promise<boolean>;
  /** Add a worktree at path. newBranch: create `branch` from `from` (default HEAD); else check out existing branch. */
  worktreeAdd(repo: string, path: string, opts: { branch: string; newBranch: boolean; from?: string }): Promise<void>;
  worktreeRemove(repo: string, path: string, opts?: { force?: boolean }): Promise<void>;
  worktreePrune(repo: string): Promise<void>;
  /** `git worktree move from to` (a rename plus git's own bookkeeping). */
  worktreeMove(repo: string, from: string, to: string): Promise<void>;
  deleteBranch(repo: string, branch: string): Promise<void>;
  status(dir: string): Promise<GitStatus>;
  /**
   * Everything deleting the work tree would lose, as porcelain v1 lines: tracked changes, untracked files and
   * IGNORED files (`!! path`; a wholly ignored folder is one `dir/` line). Paths unquoted. Never truncated.
   */
  statusAll(dir: string): Promise<string[]>;
  /**
   * The same for a worktree whose metadata (`.git/worktrees/<id>`) is gone: the directory compared with `ref`
   * of the main repository through a temporary index (every file counts as untracked when ref is null or unknown).
   */
  statusAgainst(repo: string, dir: string, ref: string | null): Promise<string[]>;
  unpushed(dir: string): Promise<Unpushed>;
  head(dir: string): Promise<string | null>;
  /** `git diff --stat HEAD` (staged and unstaged changes against HEAD), for evidence bundles. */
  diffStat(dir: string): Promise<string>;
}

export interface PortOwner {
  pid: number;
  command: string;
}

export interface PortProbe {
  /** Can we bind host:port right now? */
  isFree(port: number, host?: string): Promise<boolean>;
  /** The process listening on port, where the OS lets us see it. */
  owner(port: number): Promise<PortOwner | null>;
}

/** Injected time, so domain logic is testable. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** HTTP GET with a per-attempt timeout (gate checks). */
export interface Http {
  /** Rejects on network errors, on timeout and when `signal` aborts. */
  get(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: string }>;
}

/** A TCP readiness probe (gate checks of kind tcp). */
export interface Tcp {
  /**
   * Connect to host:port. ok when the peer sends data, or keeps the accepted connection open for holdMs
   * (Docker's proxy accepts every connection and closes it at once when nothing listens behind it).
   */
  probe(host: string, port: number, timeoutMs: number, holdMs?: number): Promise<{ ok: boolean; message: string }>;
}

export interface RegistryStore {
  readonly file: string;
  /** A consistent snapshot (writes are atomic renames, so no lock is needed to read). */
  read(): Promise<RegistryData>;
  /** Read, let fn change the document (or throw to abort without writing), write it back, all under the lock. */
  update<T>(fn: (reg: RegistryData) => T | Promise<T>): Promise<T>;
}

export interface GateStore {
  read(id: string): Promise<GateReport | null>;
  write(report: GateReport): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Per-instance secrets, stored outside the repo (mode 0600), handed to compose through the environment. */
export interface SecretStore {
  /** Values for these names, generating (once) the missing ones; `command` output wins when given. */
  get(id: string, spec: { generate: string[]; command?: string; cwd: string }): Promise<Record<string, string>>;
  remove(id: string): Promise<void>;
  /** Overwrite stored generated values (an instance restored from a snapshot takes the snapshot's). */
  set(id: string, values: Record<string, string>): Promise<void>;
}

/** Parsed compose models, keyed by a signature of the files (paths, sizes, mtimes). Best effort: a cache. */
export interface ComposeModelCache {
  get(signature: string): ComposeModel | undefined;
  set(signature: string, model: ComposeModel): void;
}

/** Who holds an instance's operation lock. */
export interface LockHolder {
  pid: number;
  /** The operation: up, down, destroy, gate, slot-move, restart, … */
  op: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** One operation per instance at a time, across processes (CLI, dashboard, tray). */
export interface InstanceLocks {
  /**
   * Take the lock of instance `id` for `op`, or say who holds it. A lock whose holder process is gone is
   * broken at once. release() is idempotent and only removes this holder's lock.
   */
  tryAcquire(id: string, op: string): Promise<{ release(): Promise<void> } | { holder: LockHolder }>;
}

/** What is at a path (stat follows symlinks; a tree walk sees a symlink as itself). */
export interface FileStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  mtime: Date;
  atime: Date;
  /** mtime with the file system's precision (sub-millisecond), for change detection. */
  mtimeMs: number;
  /** The device (filesystem) holding the path, and the inode there (an atomic replace changes it). */
  dev: number;
  ino: number;
}

/**
 * The file system as the core needs it: small files (the registry's neighbours, override, owner id, run log,
 * manifest) read and written SYNCHRONOUSLY on purpose — a CLI command reads a handful, and node's promise API
 * costs a thread-pool start (~4 ms) on first use plus a round trip per call where a sync read takes ~0.1 ms.
 * Removing trees is asynchronous. Implemented in main/adapters/files.ts; faked in memory in unit tests.
 */
export interface Files {
  /** The file's text, or undefined when it does not exist. Other errors (permissions, a directory) are thrown. */
  readText(file: string): string | undefined;
  /** Write (create or replace) a file (mode: on creation, under the umask). The parent directory must exist. */
  write(file: string, text: string, opts?: { mode?: number }): void;
  /** Create a file that must not exist yet (O_EXCL); false when it already did. */
  writeNew(file: string, text: string, opts?: { mode?: number }): boolean;
  exists(path: string): boolean;
  /** undefined when nothing is there. */
  stat(path: string): FileStat | undefined;
  /** Names in a directory; [] when it does not exist. */
  list(dir: string): string[];
  /** mkdir -p */
  mkdir(dir: string): void;
  /** The path with symlinks resolved; undefined when it cannot be resolved. */
  realpath(path: string): string | undefined;
  /** rm -rf: a file or a whole tree; nothing when absent. */
  remove(path: string): Promise<void>;
  /** rmdir: only an empty directory; false when it is not empty or not there. */
  removeEmptyDir(dir: string): Promise<boolean>;
  /** Bytes free for us on the filesystem holding dir. */
  freeBytes(dir: string): Promise<number>;
}

/** One entry of a directory tree (relative path), as `shared init` compares and copies them. */
export interface TreeEntry {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtime: Date;
  atime: Date;
  /** A symlink's target. */
  target?: string;
}

/** Copying directory trees entry by entry (shared data): what `shared init` needs beyond Files. */
export interface FileTree {
  /** Every entry under dir (sorted, parents before children; symlinks not followed). [] when dir is missing. */
  walk(dir: string): Promise<TreeEntry[]>;
  sha256(file: string): Promise<string>;
  /** A new empty directory beside `near` (named .<basename>-<prefix>XXXXXX). */
  tempDirBeside(near: string, prefix: string): Promise<string>;
  /** What is at path itself (a symlink is a symlink); undefined when nothing is. */
  lstat(path: string): Promise<FileStat | undefined>;
  copyFile(from: string, to: string): Promise<void>;
  /** rename(2): same filesystem. */
  move(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Remove a file or symlink (not a directory). */
  unlink(path: string): Promise<void>;
  /** chmod + utimes. */
  setMeta(path: string, meta: { mode: number; atime: Date; mtime: Date }): Promise<void>;
}

/** Gzipped tar archives (shared data packages, evidence bundles). */
export interface Archive {
  /** Write `file` (.tar.gz, portable: no owners) holding `names`, relative to cwd. */
  pack(file: string, cwd: string, names: string[]): Promise<void>;
  /** Unpack `file` into the existing directory `dir` (strict: a damaged archive fails; owners not kept). */
  unpack(file: string, dir: string): Promise<void>;
}

/** The process we run in, and the machine it runs on. */
export interface HostEnv {
  /** An environment variable. */
  get(name: string): string | undefined;
  /** The whole environment (what compose would see). */
  all(): Record<string, string | undefined>;
  cwd(): string;
  readonly pid: number;
  hostname(): string;
  /** process.platform (darwin, linux, win32, …) and process.arch (x64, arm64, …) */
  readonly platform: string;
  readonly arch: string;
  /** The runtime's version (process.version, e.g. v20.19.0), for evidence bundles. */
  readonly nodeVersion: string;
  /** Is the process `pid` of this machine running? (ESRCH = gone; EPERM = alive under another user.) */
  alive(pid: number): boolean;
}

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
  files: Files;
  tree: FileTree;
  archive: Archive;
  env: HostEnv;
  /** Docker contexts, their probe, last-seen stats (issue 13: placement, capacity). */
  engines: EnginesPort;
  /** The engine each instance runs on, and the ssh connection to a remote one (issue 13). */
  remotes: RemotesPort;
}
