// This machine as the core sees it: ports, time, HTTP and TCP probes, the process and its environment.

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
  /** Rejects on network errors and on timeout. */
  get(url: string, timeoutMs: number): Promise<{ status: number; body: string }>;
}

/** A TCP readiness probe (gate checks of kind tcp). */
export interface Tcp {
  /**
   * Connect to host:port. ok when the peer sends data, or keeps the accepted connection open for holdMs
   * (Docker's proxy accepts every connection and closes it at once when nothing listens behind it).
   */
  probe(host: string, port: number, timeoutMs: number, holdMs?: number): Promise<{ ok: boolean; message: string }>;
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
  /** The machine's platform (darwin, linux, win32, …) and architecture (x64, arm64, …), as node names them. */
  readonly platform: string;
  readonly arch: string;
  /** The runtime's version (process.version, e.g. v20.19.0), for evidence bundles. */
  readonly nodeVersion: string;
  /** Is the process `pid` of this machine running? (ESRCH = gone; EPERM = alive under another user.) */
  alive(pid: number): boolean;
}
