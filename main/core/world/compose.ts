// The compose CLI as the core sees it (adapters/compose.ts): v2 `docker compose` when present, else v1.

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
  /**
   * End the compose processes of this machine still changing `project` (up, down, …; not logs or run) — those
   * of an operation that died holding the project's lock, which the caller now holds; their pids.
   */
  endLeftovers(project: string): Promise<number[]>;
}
