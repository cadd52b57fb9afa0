// Slot math: the port map of a slot, its variables, and the proof that no two ports of slots 0..10 collide.
import { MAX_SLOT, MIN_SLOT, type SlotPort } from '../shared/types';
import type { Manifest, PortSpec } from './manifest-schema';
import { SandboxError } from './errors';

export type { SlotPort };

export function assertSlot(slot: number): number {
  if (!Number.isInteger(slot) || slot < MIN_SLOT || slot > MAX_SLOT) {
    throw new SandboxError('USAGE', `Slot must be an integer from ${MIN_SLOT} to ${MAX_SLOT}, got ${slot}`);
  }
  return slot;
}

export function portFor(spec: PortSpec, slot: number): number {
  assertSlot(slot);
  return slot === 0 ? spec.slot0 : spec.base + spec.step * slot;
}

export function slotPorts(manifest: Pick<Manifest, 'ports'>, slot: number): SlotPort[] {
  return manifest.ports.map((p) => {
    const sp: SlotPort = { name: p.name, env: p.env, port: portFor(p, slot) };
    if (p.service) sp.service = p.service;
    return sp;
  });
}

/** Variables for .env.sandbox: env name → port (as string). */
export function portVariables(manifest: Pick<Manifest, 'ports'>, slot: number): Record<string, string> {
  return Object.fromEntries(slotPorts(manifest, slot).map((p) => [p.env, String(p.port)]));
}

export interface PortCollision {
  port: number;
  a: { slot: number; name: string };
  b: { slot: number; name: string };
}

/** Every port of every slot 0..10 must be distinct; also within the valid TCP range. */
export function findPortCollisions(manifest: Pick<Manifest, 'ports'>): PortCollision[] {
  const seen = new Map<number, { slot: number; name: string }>();
  const collisions: PortCollision[] = [];
  for (let slot = MIN_SLOT; slot <= MAX_SLOT; slot++) {
    for (const p of slotPorts(manifest, slot)) {
      const prev = seen.get(p.port);
      if (prev) collisions.push({ port: p.port, a: prev, b: { slot, name: p.name } });
      else seen.set(p.port, { slot, name: p.name });
    }
  }
  return collisions;
}

export function findOutOfRange(manifest: Pick<Manifest, 'ports'>): { slot: number; name: string; port: number }[] {
  const out: { slot: number; name: string; port: number }[] = [];
  for (let slot = MIN_SLOT; slot <= MAX_SLOT; slot++) {
    for (const p of slotPorts(manifest, slot)) if (p.port > 65535) out.push({ slot, name: p.name, port: p.port });
  }
  return out;
}

/** Replace ${VAR} (and $VAR) with values; unknown variables are left as they are. */
export function expandTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string, b: string) => {
    const key = a ?? b;
    return Object.prototype.hasOwnProperty.call(vars, key) ? (vars[key] as string) : m;
  });
}
