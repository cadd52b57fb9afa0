// The identity of this registry (this sandbox home): a random id created once in <home>/owner-id and put on
// every container, network and volume we start (LABEL_OWNER). Two homes on one engine (two users, CI, a test)
// each only ever see and remove their own objects. The registry file schema is not touched.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerInfo } from './types';

export const OWNER_FILE = 'owner-id';
const VALID = /^[a-z0-9][a-z0-9-]{7,63}$/;
const known = new Map<string, string>();

function readOwner(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return VALID.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** The owner id of this home, created on first use (exclusive create: concurrent first uses agree). */
export function ownerId(home: string): string {
  const hit = known.get(home);
  if (hit) return hit;
  const file = join(home, OWNER_FILE);
  let id = readOwner(file);
  if (!id) {
    mkdirSync(home, { recursive: true });
    try {
      writeFileSync(file, `${randomUUID()}\n`, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    id = readOwner(file);
    if (!id) {
      // an unreadable or hand-mangled file: replace it (nothing can carry its id, it was never valid)
      id = randomUUID();
      writeFileSync(file, `${id}\n`, { mode: 0o644 });
    }
  }
  known.set(home, id);
  return id;
}

/** The owner id when the file exists, without creating it (read-only views: list, dashboard). */
export function existingOwnerId(home: string): string | null {
  const hit = known.get(home);
  if (hit) return hit;
  const id = readOwner(join(home, OWNER_FILE));
  if (id) known.set(home, id);
  return id;
}

/** Is this container provably ours: labelled with its project as instance AND this registry's identity? */
export function isOurs(c: Pick<ContainerInfo, 'project' | 'instance' | 'owner'>, owner: string | null): boolean {
  return owner !== null && c.owner === owner && c.instance === c.project;
}
