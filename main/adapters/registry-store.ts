// The registry file: every read-modify-write under a lock, written atomically, never overwritten when
// unreadable, inconsistent (duplicate slots, key/id mismatch) or read-only. Keys it does not know are kept;
// its mode is kept. The lock records its owner's pid, so a lock left by a killed command is broken at once.
import { closeSync, constants, openSync, promises as fsp, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryStore } from '../core/deps';
import { SandboxError } from '../core/errors';
import { emptyRegistry, isRegistryDocument, registryInconsistency } from '../core/registry';
import { backupName, migrateRegistry } from '../core/registry-migrate';
import { readTextIfExists } from './files';
import type { RegistryData } from '../shared/types';
import { acquireLock, LockBusyError } from './pid-lock';

export const REGISTRY_FILE = 'instances.json';
/** How long a write waits for another command's lock (registry writes take milliseconds). */
const LOCK_WAIT_MS = 20_000;
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOSPC', 'EDQUOT']);

export function createRegistryStore(home: string, opts: { lockWaitMs?: number } = {}): RegistryStore {
  const file = join(home, REGISTRY_FILE);

  /** The registry in this version's shape; `migratedFrom`/`text`: an older file, read as it was on disk. */
  async function loadWithOrigin(): Promise<{ reg: RegistryData; migratedFrom: number | null; text?: string }> {
    let text: string | undefined;
    try {
      text = readTextIfExists(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw corrupt(file, code === 'EISDIR' ? 'it is a directory, not a file' : `it cannot be read (${code ?? (err as Error).message})`);
    }
    if (text === undefined) return { reg: emptyRegistry(), migratedFrom: null };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw corrupt(file, `not valid JSON (${(err as Error).message})`);
    }
    const migrated = migrateRegistry(raw, file);
    if (!isRegistryDocument(migrated.data)) {
      // zod only now, to name what is wrong (a well-formed file never loads it)
      const { registryProblem } = await import('../core/registry-schema');
      throw corrupt(file, registryProblem(migrated.data) ?? 'unexpected content');
    }
    const reg: RegistryData = migrated.data;
    const wrong = registryInconsistency(reg);
    if (wrong) throw corrupt(file, wrong, 'inconsistent');
    return { reg, migratedFrom: migrated.from, text };
  }

  async function load(): Promise<RegistryData> {
    return (await loadWithOrigin()).reg;
  }

  /** Before an older file is first rewritten in this version's shape, its text is kept beside it. */
  async function keepOlder(from: number, text: string, mode: number | undefined): Promise<void> {
    let backup = backupName(file, from);
    const existing = readTextIfExists(backup);
    if (existing === text) return;
    if (existing !== undefined) backup = backup.replace(/\.json$/, `-${Date.now()}.json`); // an earlier backup is kept too
    try {
      await fsp.writeFile(backup, text, { mode: mode ?? 0o644, flag: 'wx' });
    } catch (err) {
      throw new SandboxError(
        'STATE',
        `Cannot keep a copy of the version ${from} registry at ${backup} before migrating it: ${(err as Error).message}. Nothing was changed.`,
        {
          hint: `Check the permissions of ${home}, or copy ${file} aside yourself.`,
          cause: err,
        },
      );
    }
  }

  /** Refuse to replace a file we may not write (a rename would silently succeed over a read-only file). */
  function assertWritable(): number | undefined {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o7777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw unwritable(file, err);
    }
    if ((mode & 0o200) === 0) {
      throw new SandboxError(
        'STATE',
        `The registry ${file} is read-only (mode ${mode.toString(8).padStart(4, '0')}): nothing was changed.`,
        {
          hint: `Make it writable (chmod u+w ${file}) if the change is meant, then run the command again.`,
        },
      );
    }
    try {
      closeSync(openSync(file, constants.O_WRONLY)); // EPERM when immutable (chattr +i), EACCES for another owner
    } catch (err) {
      throw unwritable(file, err);
    }
    return mode;
  }

  return {
    file,
    read: load,
    async update(fn) {
      try {
        await fsp.mkdir(home, { recursive: true });
      } catch (err) {
        throw unwritable(home, err);
      }
      let release: () => Promise<void>;
      try {
        release = await acquireLock(`${file}.lock`, { op: 'registry', waitMs: opts.lockWaitMs ?? LOCK_WAIT_MS });
      } catch (err) {
        if (err instanceof LockBusyError) {
          throw new SandboxError('REGISTRY_LOCKED', `The registry ${file} is locked ${err.message}`, {
            hint: `Another ktrdr-sandbox command is running (it takes milliseconds normally). If it hangs, stop it${err.holder.pid ? ` (kill ${err.holder.pid})` : ''}.`,
          });
        }
        throw unwritable(home, err);
      }
      try {
        const { reg, migratedFrom, text } = await loadWithOrigin();
        const mode = assertWritable();
        if (migratedFrom !== null && text !== undefined) await keepOlder(migratedFrom, text, mode);
        const result = await fn(reg);
        const wrong = registryInconsistency(reg);
        if (wrong) throw new SandboxError('INTERNAL', `Refusing to write an inconsistent registry: ${wrong}`);
        // Loaded here, not at the top: reading the registry (every command) does not need it.
        const { default: writeFileAtomic } = await import('write-file-atomic');
        try {
          await writeFileAtomic(file, `${JSON.stringify(reg, null, 2)}\n`, { mode: mode ?? 0o644 });
        } catch (err) {
          throw unwritable(file, err);
        }
        return result;
      } finally {
        await release();
      }
    },
  };
}

function unwritable(path: string, err: unknown): SandboxError {
  if (err instanceof SandboxError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why =
    code === 'EPERM'
      ? 'operation not permitted (immutable, or not yours)'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
  return new SandboxError('STATE', `Cannot write the registry at ${path}: ${why}. Nothing was changed.`, {
    hint: UNWRITABLE.has(code)
      ? `Check the permissions and attributes of ${path} (ls -ld, lsattr), or point KTRDR_SANDBOX_HOME at a writable directory.`
      : 'Run the command again; if it persists, check the disk.',
    cause: err,
  });
}

function corrupt(file: string, why: string, what = 'unreadable'): SandboxError {
  return new SandboxError('REGISTRY_CORRUPT', `The registry ${file} is ${what}: ${why}. It was left untouched.`, {
    hint: `Repair it, or move it aside (mv ${file} ${file}.broken) and re-register instances with \`ktrdr-sandbox init\` in each instance directory.`,
  });
}
