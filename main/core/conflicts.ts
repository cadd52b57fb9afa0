// Port pre-check with ownership: who holds each port of a slot — this instance (fine), another registered
// instance, a container of another compose project, or a host process (pid + command where visible).
import type { PortProbe } from './deps';
import type { SlotPort } from './ports';
import type { ContainerInfo, RegistryData } from '../shared/types';

export type PortHolder =
  | { kind: 'self' }
  | { kind: 'instance'; instanceId: string; container: string }
  | { kind: 'container'; project: string; container: string }
  | { kind: 'process'; pid: number; command: string }
  | { kind: 'unknown' };

export interface PortConflict {
  port: number;
  name: string;
  env: string;
  holder: PortHolder;
}

export function describeHolder(h: PortHolder): string {
  switch (h.kind) {
    case 'self':
      return 'this instance';
    case 'instance':
      return `sandbox instance "${h.instanceId}" (container ${h.container})`;
    case 'container':
      return `container ${h.container} of compose project "${h.project}"`;
    case 'process':
      return `process ${h.pid} (${h.command})`;
    case 'unknown':
      return 'an unknown process (not visible to this user; try `sudo lsof -i :PORT`)';
  }
}

/** Conflicts are foreign when they should blacklist the slot (not another sandbox, which has its own slot). */
export function isForeign(c: PortConflict): boolean {
  return c.holder.kind === 'container' || c.holder.kind === 'process' || c.holder.kind === 'unknown';
}

/**
 * Conflicts that blacklist the slot: only host processes (and holders we cannot see). A container of another
 * compose project only makes the slot "held": it is skipped this time and re-checked next time.
 */
export function blacklists(c: PortConflict): boolean {
  return c.holder.kind === 'process' || c.holder.kind === 'unknown';
}

export async function probeSlotPorts(opts: {
  ports: SlotPort[];
  selfProject: string | null;
  running: ContainerInfo[];
  registry: RegistryData;
  probe: PortProbe;
}): Promise<PortConflict[]> {
  const byHostPort = new Map<number, ContainerInfo>();
  for (const c of opts.running) if (c.state === 'running') for (const p of c.ports) byHostPort.set(p.hostPort, c);
  const results = await Promise.all(
    opts.ports.map(async (sp): Promise<PortConflict | null> => {
      const c = byHostPort.get(sp.port);
      if (c) {
        if (c.project === opts.selfProject) return null;
        const holder: PortHolder = opts.registry.instances[c.project]
          ? { kind: 'instance', instanceId: c.project, container: c.name }
          : { kind: 'container', project: c.project, container: c.name };
        return { port: sp.port, name: sp.name, env: sp.env, holder };
      }
      if (await opts.probe.isFree(sp.port)) return null;
      const owner = await opts.probe.owner(sp.port).catch(() => null);
      return {
        port: sp.port,
        name: sp.name,
        env: sp.env,
        holder: owner ? { kind: 'process', pid: owner.pid, command: owner.command } : { kind: 'unknown' },
      };
    }),
  );
  return results.filter((r): r is PortConflict => r !== null);
}
