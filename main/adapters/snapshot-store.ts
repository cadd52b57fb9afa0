// Snapshots on disk: <home>/snapshots/<name>/{meta.json, secrets.env (0600), <volume>.tar.gz}. A snapshot is
// written into a staging directory (<home>/snapshots/.staging-<name>-<random>) and renamed into place, so a
// failed or interrupted save leaves no half snapshot behind. Defaults per repository: defaults.json.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parseEnvFile } from '../core/envfile';
import { SandboxError } from '../core/errors';
import { readTextIfExists } from './files';
import { validateSnapshotName } from '../core/snapshot-plan';
import type { SnapshotDraft, SnapshotStore, StoredSnapshot } from '../core/snapshot-ports';
import type { SnapshotMeta } from '../shared/snapshot-types';

const META = 'meta.json';
const SECRETS = 'secrets.env';
const DEFAULTS = 'defaults.json';

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await sizeOf(p);
    else total += (await fsp.stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function writeAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(file, text, { mode });
}

export function createSnapshotStore(home: string): SnapshotStore {
  const root = join(home, 'snapshots');
  const dirOf = (name: string) => join(root, validateSnapshotName(name));

  async function read(name: string): Promise<StoredSnapshot | null> {
    const dir = dirOf(name);
    const text = readTextIfExists(join(dir, META));
    if (text === undefined) return null;
    let meta: SnapshotMeta;
    try {
      meta = JSON.parse(text) as SnapshotMeta;
    } catch {
      return null;
    }
    if (meta?.version !== 1 || meta.name !== name || !Array.isArray(meta.volumes)) return null;
    return { meta, dir, sizeOnDisk: await sizeOf(dir) };
  }

  return {
    root,
    async list() {
      const entries = await fsp.readdir(root, { withFileTypes: true }).catch(() => []);
      const out: StoredSnapshot[] = [];
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith('.')) continue;
        try {
          const s = await read(e.name);
          if (s) out.push(s);
        } catch {
          // a directory that is not a valid snapshot name is not ours to list
        }
      }
      return out.sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt));
    },
    get: read,
    async begin(name) {
      const final = dirOf(name);
      await fsp.mkdir(root, { recursive: true, mode: 0o700 });
      const { randomBytes } = process.getBuiltinModule('node:crypto'); // not at start-up: every command builds the store
      const dir = join(root, `.staging-${name}-${randomBytes(4).toString('hex')}`);
      await fsp.mkdir(dir, { mode: 0o700 });
      const draft: SnapshotDraft = {
        dir,
        file: (f) => join(dir, f),
        async commit(meta, secrets, opts = {}) {
          await writeAtomic(
            join(dir, SECRETS),
            Object.entries(secrets)
              .map(([k, v]) => `${k}=${v}\n`)
              .join(''),
            0o600,
          );
          await writeAtomic(join(dir, META), `${JSON.stringify(meta, null, 2)}\n`);
          const exists = readTextIfExists(join(final, META)) !== undefined;
          if (exists && !opts.replace) {
            throw new SandboxError('STATE', `A snapshot "${name}" already exists`, {
              hint: 'Choose another name, or pass --force to replace it.',
            });
          }
          const old = `${dir}.old`;
          if (exists) await fsp.rename(final, old);
          await fsp.rename(dir, final);
          if (exists) await fsp.rm(old, { recursive: true, force: true });
          return { meta, dir: final, sizeOnDisk: await sizeOf(final) };
        },
        async abort() {
          await fsp.rm(dir, { recursive: true, force: true });
        },
      };
      return draft;
    },
    archive: (name, file) => join(dirOf(name), file),
    async secrets(name) {
      return parseEnvFile(readTextIfExists(join(dirOf(name), SECRETS)) ?? '');
    },
    async remove(name) {
      const dir = dirOf(name);
      if (readTextIfExists(join(dir, META)) === undefined) {
        throw new SandboxError('NOT_FOUND', `No snapshot "${name}"`, { hint: 'List them with `ktrdr-sandbox snapshot list`.' });
      }
      const size = await sizeOf(dir);
      await fsp.rm(dir, { recursive: true, force: true });
      const defaults = await this.defaults();
      for (const [repo, n] of Object.entries(defaults)) if (n === name) await this.setDefault(repo, null);
      return size;
    },
    async defaults() {
      try {
        const raw = JSON.parse(readTextIfExists(join(root, DEFAULTS)) ?? '{}') as unknown;
        if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
        return Object.fromEntries(
          Object.entries(raw as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
      } catch {
        return {};
      }
    },
    async setDefault(repo, name) {
      const all = await this.defaults();
      if (name === null) delete all[repo];
      else all[repo] = validateSnapshotName(name);
      await fsp.mkdir(root, { recursive: true, mode: 0o700 });
      await writeAtomic(join(root, DEFAULTS), `${JSON.stringify(all, null, 2)}\n`);
    },
  };
}
