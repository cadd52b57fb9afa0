// The process the core runs in (HostEnv port): its environment, working directory, pid and platform, the
// machine's name, and whether another process of this machine still runs.
import { hostname } from 'node:os';
import type { HostEnv } from '../core/deps';

export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0 probes without signalling
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let host: string | undefined;
/** This machine's name, as recorded beside a pid. */
export function thisHost(): string {
  return (host ??= hostname());
}

/** env: the environment to show the core (default process.env; createDeps passes its own). */
export function createHostEnv(env: NodeJS.ProcessEnv = process.env): HostEnv {
  return {
    get: (name) => env[name],
    all: () => env,
    cwd: () => process.cwd(),
    pid: process.pid,
    hostname: thisHost,
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
    alive: processAlive,
  };
}
