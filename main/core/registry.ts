// Pure operations on the registry document. The store (main/adapters/registry-store.ts) does the I/O.
import { SandboxError } from './errors';
import { MAX_SLOT } from '../shared/types';
import type { BlacklistEntry, InstanceOrigin, InstanceRecord, RegistryData } from '../shared/types';
import { byText } from './order';
import { basename, dirname } from 'node:path';

/** 2: per-instance `engine` (issue 13). Files of version 1 are migrated on the next write (registry-migrate.ts). */
export const REGISTRY_VERSION = 2;

// The document's shape, checked by hand: every command reads the registry, and zod cost ~8 ms of each start on
// node 20. The schema in registry-schema.ts (zod) is the same rule set; it is loaded only to name what is wrong
// when this check fails (tests/unit/core/registry-shape.test.ts holds both to the same verdict). Objects are
// loose: keys this version does not know (written by a newer version, or by hand) are kept on rewrite; the
// fields added later (origin, state, pid, force, engine, sharedOverlay) are optional, so files written before
// them still load.
type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const opt = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);
const oneOf =
  (...values: string[]) =>
  (v: unknown): boolean =>
    values.includes(v as string);

/** Where an instance runs: context null = the default engine (also when `engine` is absent). */
const isPathMap = (v: unknown): boolean => Array.isArray(v) && v.every((m) => isObj(m) && isStr(m.local) && isStr(m.remote));

function isEngine(e: unknown): boolean {
  if (!isObj(e) || !(e.context === null || isStr(e.context)) || !opt(e.endpoint, isStr)) return false;
  const s = e.source;
  return (
    s === undefined ||
    (isObj(s) && oneOf('sync', 'path-map')(s.mode) && isStr(s.remotePath) && opt(s.localPath, isStr) && opt(s.map, isPathMap))
  );
}

function isInstance(r: unknown): boolean {
  return (
    isObj(r) &&
    isStr(r.id) &&
    isStr(r.path) &&
    isInt(r.slot, 0, MAX_SLOT) &&
    oneOf('worktree', 'clone')(r.kind) &&
    isStr(r.repo) &&
    (r.branch === null || isStr(r.branch)) &&
    isStr(r.createdAt) &&
    opt(r.origin, oneOf('created', 'init')) &&
    opt(r.state, oneOf('creating', 'destroying')) &&
    opt(r.pid, (v) => isInt(v, 1)) &&
    opt(r.host, isStr) &&
    opt(r.force, (v) => typeof v === 'boolean') &&
    opt(r.engine, isEngine) &&
    opt(r.sharedOverlay, (v) => typeof v === 'boolean' || (Array.isArray(v) && v.every(isStr)))
  );
}

function isBlacklistEntry(b: unknown): boolean {
  return (
    isObj(b) && isStr(b.reason) && isStr(b.at) && opt(b.port, (v) => typeof v === 'number' && Number.isFinite(v)) && opt(b.holder, isStr)
  );
}

/** A registry document of this version (registry-schema.ts says what is wrong with one that is not). */
export function isRegistryDocument(data: unknown): data is RegistryData {
  return (
    isObj(data) &&
    data.version === REGISTRY_VERSION &&
    isObj(data.instances) &&
    Object.values(data.instances).every(isInstance) &&
    isObj(data.blacklist) &&
    Object.values(data.blacklist).every(isBlacklistEntry)
  );
}

/**
 * Rules a hand-edited file can break that the schema cannot see: each entry's key is its id (else `destroy X`
 * would act on another project), no two entries share a slot (their ports would collide). Returns what is
 * wrong, or null.
 */
export function registryInconsistency(reg: RegistryData): string | null {
  const bySlot = new Map<number, string>();
  for (const [key, rec] of Object.entries(reg.instances)) {
    if (rec.id !== key) return `the entry "${key}" has id "${rec.id}" (key and id must be the same)`;
    const other = bySlot.get(rec.slot);
    if (other !== undefined) return `"${other}" and "${key}" both hold slot ${rec.slot}`;
    bySlot.set(rec.slot, key);
  }
  return null;
}

/**
 * Who made an instance's directory. Entries written before `origin` existed: a clone is always the user's; a
 * worktree counts as made by `create` only when it sits exactly where `create` puts one (`<repo>--<name>` beside
 * the repository) — anything else was registered with `init` and is never deleted.
 */
export function originOf(rec: InstanceRecord): InstanceOrigin {
  if (rec.origin) return rec.origin;
  if (rec.kind !== 'worktree') return 'init';
  const name = basename(rec.path);
  return dirname(rec.path) === dirname(rec.repo) && name.startsWith(`${basename(rec.repo)}--`) ? 'created' : 'init';
}

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
