// Pure operations on the registry document. The store (main/adapters/registry-store.ts) does the I/O.
import * as z from 'zod/mini';
import { SandboxError } from './errors';
import { MAX_SLOT } from './types';
import type { BlacklistEntry, InstanceRecord, RegistryData } from './types';
import { byText } from './order';

export const REGISTRY_VERSION = 1;

const instanceSchema = z.object({
  id: z.string(),
  path: z.string(),
  slot: z.int().check(z.gte(0), z.lte(MAX_SLOT)),
  kind: z.enum(['worktree', 'clone']),
  repo: z.string(),
  branch: z.nullable(z.string()),
  createdAt: z.string(),
});

export const registrySchema = z.object({
  version: z.literal(REGISTRY_VERSION),
  instances: z.record(z.string(), instanceSchema),
  blacklist: z.record(
    z.string(),
    z.object({ reason: z.string(), at: z.string(), port: z.optional(z.number()), holder: z.optional(z.string()) }),
  ),
});

export function emptyRegistry(): RegistryData {
  return { version: REGISTRY_VERSION, instances: {}, blacklist: {} };
}

export function instances(reg: RegistryData): InstanceRecord[] {
  return Object.values(reg.instances).sort((a, b) => a.slot - b.slot || byText(a.id, b.id));
}

export function holderOfSlot(reg: RegistryData, slot: number): InstanceRecord | undefined {
  return Object.values(reg.instances).find((i) => i.slot === slot);
}

/** The instance whose directory is dir or contains it (deepest match wins). */
export function instanceContaining(reg: RegistryData, dir: string): InstanceRecord | undefined {
  let best: InstanceRecord | undefined;
  for (const i of Object.values(reg.instances)) {
    if (dir === i.path || dir.startsWith(i.path.endsWith('/') ? i.path : `${i.path}/`)) {
      if (!best || i.path.length > best.path.length) best = i;
    }
  }
  return best;
}

export function isBlacklisted(reg: RegistryData, slot: number): BlacklistEntry | undefined {
  return reg.blacklist[String(slot)];
}

/** Slots 1..10 in order that are neither held nor blacklisted. Slot 0 is never handed out automatically. */
export function candidateSlots(reg: RegistryData): number[] {
  const out: number[] = [];
  for (let s = 1; s <= MAX_SLOT; s++) if (!holderOfSlot(reg, s) && !isBlacklisted(reg, s)) out.push(s);
  return out;
}

/** Validate an explicitly requested slot against the registry. */
export function assertSlotAvailable(reg: RegistryData, slot: number, forId?: string): void {
  const holder = holderOfSlot(reg, slot);
  if (holder && holder.id !== forId) {
    throw new SandboxError('STATE', `Slot ${slot} is held by instance "${holder.id}" (${holder.path})`, {
      hint: `Pick another slot (free: ${candidateSlots(reg).join(', ') || 'none'}) or destroy "${holder.id}".`,
    });
  }
  const bl = isBlacklisted(reg, slot);
  if (bl) {
    throw new SandboxError('STATE', `Slot ${slot} is blacklisted: ${bl.reason}`, {
      hint: `Free the port, then run \`ktrdr-sandbox slot unblock ${slot}\`, or pick another slot.`,
    });
  }
}

export function noFreeSlotError(reg: RegistryData): SandboxError {
  const held = instances(reg)
    .map((i) => `  slot ${i.slot}: ${i.id} (${i.path})`)
    .concat(Object.entries(reg.blacklist).map(([s, b]) => `  slot ${s}: blacklisted — ${b.reason}`));
  return new SandboxError('NO_FREE_SLOT', `All slots 1-${MAX_SLOT} are taken:\n${held.join('\n')}`, {
    hint: 'Destroy an instance you no longer need (`ktrdr-sandbox destroy ID`) or unblock a slot.',
  });
}
