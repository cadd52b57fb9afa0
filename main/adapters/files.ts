// The file system of the core (Files port): small files read and written synchronously on purpose — a CLI command
// reads a handful of them, and node's promise API costs a thread-pool start (~4 ms) on first use plus a round trip
// per call (~0.7 ms) where a sync read takes ~0.1 ms; fs/promises itself costs ~3 ms to load, so only the
// asynchronous calls (removing trees, free space) load it. The long-running dashboard reads them rarely.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import type { FileStat, Files } from '../core/deps';

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's text, or undefined when it does not exist. Other errors (permissions, a directory) are thrown. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

/** The file's stats, or undefined when it does not exist. */
export function statIfExists(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

export function fileStat(st: Stats): FileStat {
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { kind, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime, atime: st.atime, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino };
}

const fsp = () => process.getBuiltinModule('node:fs/promises') as typeof import('node:fs/promises');

export const nodeFiles: Files = {
  readText: readTextIfExists,
  write(file, text, opts) {
    writeFileSync(file, text, opts?.mode === undefined ? {} : { mode: opts.mode });
  },
  writeNew(file, text, opts) {
    try {
      writeFileSync(file, text, { flag: 'wx', ...(opts?.mode === undefined ? {} : { mode: opts.mode }) });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  },
  exists: (path) => existsSync(path),
  stat(path) {
    const st = statIfExists(path);
    return st && fileStat(st);
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch (err) {
      if (missing(err)) return [];
      throw err;
    }
  },
  mkdir(dir) {
    mkdirSync(dir, { recursive: true });
  },
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
  remove: (path) => fsp().rm(path, { recursive: true, force: true }),
  async removeEmptyDir(dir) {
    try {
      await fsp().rmdir(dir);
      return true;
    } catch {
      return false;
    }
  },
  async freeBytes(dir) {
    const s = await fsp().statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  },
};
