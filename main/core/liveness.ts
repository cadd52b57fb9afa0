// Is the process that wrote an intent record (or holds a lock) still running? The HostEnv port probes it
// (signal 0): a pid reused after a reboot reads as alive, which only delays a repair (never loses anything). A pid
// written on another host (a home shared over the network, or between containers) cannot be probed from here: it
// counts as alive.
import type { HostEnv } from './deps';
import type { InstanceRecord } from '../shared/types';

/** Is the process `pid`, recorded on host `on` (undefined: recorded before hosts were, so this host), alive? */
export function ownerAlive(env: Pick<HostEnv, 'hostname' | 'alive'>, pid: number | undefined, on: string | undefined): boolean {
  if (on !== undefined && on !== env.hostname()) return true;
  return pid !== undefined && env.alive(pid);
}

/** Entries left half-done (a create or destroy) by a process that is gone: recovery.ts repairs them. */
export function interrupted(deps: { env: Pick<HostEnv, 'hostname' | 'alive'> }, recs: InstanceRecord[]): InstanceRecord[] {
  return recs.filter((r) => r.state !== undefined && !ownerAlive(deps.env, r.pid, r.host));
}
