// The registry file: every read-modify-write under a lock, written atomically, never overwritten when unreadable.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { RegistryStore } from '../core/deps';
import { SandboxError } from '../core/errors';
import { emptyRegistry, registrySchema } from '../core/registry';
import { readTextIfExists } from '../core/small-file';
import type { RegistryData } from '../core/types';

export const REGISTRY_FILE = 'instances.json';

export function createRegistryStore(home: string): RegistryStore {
  const file = join(home, REGISTRY_FILE);

  async function load(): Promise<RegistryData> {
    const text = readTextIfExists(file);
    if (text === undefined) return emptyRegistry();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw corrupt(file, `not valid JSON (${(err as Error).message})`);
    }
    const parsed = registrySchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw corrupt(file, `unexpected content at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`);
    }
    return parsed.data as RegistryData;
  }

  return {
    file,
    read: load,
    async update(fn) {
      await fsp.mkdir(home, { recursive: true });
      // Loaded here, not at the top: reading the registry (every command) needs neither library.
      const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([import('proper-lockfile'), import('write-file-atomic')]);
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(file, {
          realpath: false,
          lockfilePath: `${file}.lock`,
          stale: 15_000,
          update: 5_000,
          retries: { retries: 200, factor: 1.2, minTimeout: 20, maxTimeout: 250, randomize: true },
        });
      } catch (err) {
        throw new SandboxError('REGISTRY_LOCKED', `Could not lock the registry ${file}: ${(err as Error).message}`, {
          hint: `Another ktrdr-sandbox command may be running. If none is, remove ${file}.lock.`,
        });
      }
      try {
        const reg = await load();
        const result = await fn(reg);
        await writeFileAtomic(file, `${JSON.stringify(reg, null, 2)}\n`, { mode: 0o644 });
        return result;
      } finally {
        await release().catch(() => undefined);
      }
    },
  };
}

function corrupt(file: string, why: string): SandboxError {
  return new SandboxError('REGISTRY_CORRUPT', `The registry ${file} is unreadable: ${why}. It was left untouched.`, {
    hint: `Repair it, or move it aside (mv ${file} ${file}.broken) and re-register instances with \`ktrdr-sandbox init\` in each instance directory.`,
  });
}
