// The identity of this registry (this sandbox home): a random id created once in <home>/owner-id and put on
// every container, network and volume we start (LABEL_OWNER). Two homes on one engine (two users, CI, a test)
// each only ever see and remove their own objects. The registry file schema is not touched.
// (The global Web Crypto, not node:crypto: that module cost every command ~3 ms of start-up to read an id.)
import { join } from 'node:path';
import type { Deps, Files } from './deps';
import type { ContainerInfo } from '../shared/types';

export const OWNER_FILE = 'owner-id';
const VALID = /^[a-z0-9][a-z0-9-]{7,63}$/;
// per file system (a unit test's in-memory one is another world), then per home
const known = new WeakMap<Files, Map<string, string>>();
const knownIn = (deps: OwnerDeps) => {
  let m = known.get(deps.files);
  if (!m) known.set(deps.files, (m = new Map()));
  return m;
};

type OwnerDeps = Pick<Deps, 'files' | 'home'>;

function readOwner(deps: OwnerDeps): string | null {
  try {
    const text = deps.files.readText(join(deps.home, OWNER_FILE))?.trim();
    return text !== undefined && VALID.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** The owner id of this home, created on first use (exclusive create: concurrent first uses agree). */
export function ownerId(deps: OwnerDeps): string {
  const hit = knownIn(deps).get(deps.home);
  if (hit) return hit;
  const file = join(deps.home, OWNER_FILE);
  let id = readOwner(deps);
  if (!id) {
    deps.files.mkdir(deps.home);
    deps.files.writeNew(file, `${crypto.randomUUID()}\n`, { mode: 0o644 });
    id = readOwner(deps);
    if (!id) {
      // an unreadable or hand-mangled file: replace it (nothing can carry its id, it was never valid)
      id = crypto.randomUUID();
      deps.files.write(file, `${id}\n`, { mode: 0o644 });
    }
  }
  knownIn(deps).set(deps.home, id);
  return id;
}

/** The owner id when the file exists, without creating it (read-only views: list, dashboard). */
export function existingOwnerId(deps: OwnerDeps): string | null {
  const hit = knownIn(deps).get(deps.home);
  if (hit) return hit;
  const id = readOwner(deps);
  if (id) knownIn(deps).set(deps.home, id);
  return id;
}

/** Is this container provably ours: labelled with its project as instance AND this registry's identity? */
export function isOurs(c: Pick<ContainerInfo, 'project' | 'instance' | 'owner'>, owner: string | null): boolean {
  return owner !== null && c.owner === owner && c.instance === c.project;
}
