// Older registry files, read by this version: version 1 (before per-instance engines) becomes version 2 with
// every instance on the default engine (`engine: {context: null}`), every other key kept. Pure: the store
// (adapters/registry-store.ts) keeps the old text as instances.v1.json before it writes the migrated document.
// A file of a NEWER version is refused (never rewritten by an older tool).
import { SandboxError } from './errors';
import { REGISTRY_VERSION } from './registry';

export interface Migrated {
  /** the document in this version's shape (still to be checked: isRegistryDocument in registry.ts) */
  data: unknown;
  /** the version it was migrated from; null when it was already current (or not a registry at all) */
  from: number | null;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function migrateRegistry(raw: unknown, file: string): Migrated {
  const version = obj(raw)?.version;
  if (version === REGISTRY_VERSION) return { data: raw, from: null };
  if (typeof version === 'number' && Number.isInteger(version) && version > REGISTRY_VERSION) {
    throw new SandboxError(
      'REGISTRY_CORRUPT',
      `The registry ${file} is of version ${version}, written by a newer ktrdr-sandbox (this one reads up to ${REGISTRY_VERSION}). It was left untouched.`,
      {
        hint: `Use the newer ktrdr-sandbox that wrote it, or move it aside (mv ${file} ${file}.broken) and re-register instances with \`ktrdr-sandbox init\`.`,
      },
    );
  }
  const doc = obj(raw);
  const old = obj(doc?.instances);
  if (version !== 1 || !doc || !old) return { data: raw, from: null }; // the schema says what is wrong
  // entries that are not objects are left as they are: the schema then names them (instances.<key>)
  const instances = Object.fromEntries(
    Object.entries(old).map(([k, rec]) => [k, obj(rec) ? { ...obj(rec), engine: obj(obj(rec)!.engine) ?? { context: null } } : rec]),
  );
  return { data: { ...doc, version: REGISTRY_VERSION, instances }, from: 1 };
}

/** Where the migration keeps the file it read: instances.v1.json beside instances.json. */
export function backupName(file: string, from: number): string {
  return file.replace(/\.json$/, '') + `.v${from}.json`;
}
