// Choosing a slot: registry holders, blacklist, and a live port probe with ownership — one place for
// create, init and up.
import { blacklists, describeHolder, probeSlotPorts, type PortConflict } from './conflicts';
import type { Deps } from './deps';
import { SandboxError } from './errors';
import type { Manifest } from './manifest-schema';
import { assertSlot, slotPorts } from './ports';
import { assertSlotAvailable, candidateSlots, noFreeSlotError } from './registry';
import type { ContainerInfo, RegistryData } from '../shared/types';

export function blacklistFor(reg: RegistryData, slot: number, conflicts: PortConflict[], now: number): void {
  const c = conflicts.find(blacklists);
  if (!c) return;
  reg.blacklist[String(slot)] = {
    reason: `port ${c.port} (${c.env}) is held by ${describeHolder(c.holder)}`,
    at: new Date(now).toISOString(),
    port: c.port,
    holder: describeHolder(c.holder),
  };
}

export function portConflictError(slot: number, conflicts: PortConflict[], reg: RegistryData): SandboxError {
  const lines = conflicts.map((c) => `  ${c.port} (${c.env}): ${describeHolder(c.holder)}`);
  const free = candidateSlots(reg).filter((s) => s !== slot);
  return new SandboxError('PORT_CONFLICT', `Port conflict on slot ${slot}:\n${lines.join('\n')}`, {
    hint: `Stop what holds the port(s), or use another slot (${free.length ? `free: ${free.join(', ')}` : 'none free'}) with --slot N or \`ktrdr-sandbox slot move N\`.`,
    details: { slot, conflicts },
  });
}

export type Allocation = { kind: 'ok'; slot: number } | { kind: 'conflict'; slot: number; conflicts: PortConflict[] } | { kind: 'none' };

/**
 * Inside a registry update: pick (or validate) the slot for instance `id`. Foreign-held slots are blacklisted
 * in `reg` as a side effect. Returns the slot, or the conflicts that make the requested slot unusable.
 */
export async function allocateSlot(opts: {
  deps: Deps;
  reg: RegistryData;
  manifest: Manifest;
  id: string;
  requested?: number;
  running: ContainerInfo[];
}): Promise<Allocation> {
  const { deps, reg, manifest, id, running } = opts;
  const probe = (slot: number) =>
    probeSlotPorts({ ports: slotPorts(manifest, slot), selfProject: id, running, registry: reg, probe: deps.ports });
  if (opts.requested !== undefined) {
    const slot = assertSlot(opts.requested);
    assertSlotAvailable(reg, slot, id);
    const conflicts = await probe(slot);
    if (conflicts.length) {
      blacklistFor(reg, slot, conflicts, deps.clock.now());
      return { kind: 'conflict', slot, conflicts };
    }
    return { kind: 'ok', slot };
  }
  for (const slot of candidateSlots(reg)) {
    const conflicts = await probe(slot);
    if (!conflicts.length) return { kind: 'ok', slot };
    blacklistFor(reg, slot, conflicts, deps.clock.now());
  }
  return { kind: 'none' };
}

/** After the registry write: turn a failed allocation into its error. */
export function allocationError(a: Exclude<Allocation, { kind: 'ok' }>, reg: RegistryData): SandboxError {
  return a.kind === 'none' ? noFreeSlotError(reg) : portConflictError(a.slot, a.conflicts, reg);
}
