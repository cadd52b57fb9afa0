// Is the process that wrote an intent record (or holds a lock) still running? Signal 0 probes without
// signalling: ESRCH = gone, EPERM = alive under another user. A pid reused after a reboot reads as alive,
// which only delays a repair (never loses anything). A pid written on another host (a home shared over the
// network, or between containers) cannot be probed from here: it counts as alive.
import { hostname } from 'node:os';

let host: string | undefined;
/** This machine's name, as recorded beside a pid. */
export function thisHost(): string {
  return (host ??= hostname());
}

/** processAlive for a pid recorded on `on` (undefined: recorded before hosts were, so this host). */
export function ownerAlive(pid: number | undefined, on: string | undefined): boolean {
  if (on !== undefined && on !== thisHost()) return true;
  return processAlive(pid);
}

export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
