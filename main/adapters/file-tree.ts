// Copying directory trees entry by entry (FileTree port, `shared init`): a walk that does not follow symlinks,
// hashes streamed from disk (never a whole file in memory), and the single-entry operations.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdtemp, readdir, readlink, rename, symlink, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileTree, TreeEntry } from '../core/deps';
import { fileStat } from './files';

async function walk(dir: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(join(dir, rel))).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel === '') return;
      throw err;
    }
    for (const name of names) {
      const r = rel ? join(rel, name) : name;
      const st = await lstat(join(dir, r));
      const base = { rel: r, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime, atime: st.atime };
      if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', target: await readlink(join(dir, r)) });
      else if (st.isDirectory()) {
        out.push({ ...base, type: 'dir' });
        await visit(r);
      } else if (st.isFile()) out.push({ ...base, type: 'file' });
    }
  };
  await visit('');
  return out;
}

export function createFileTree(): FileTree {
  return {
    walk,
    async sha256(file) {
      const h = createHash('sha256');
      await new Promise<void>((res, rej) => {
        createReadStream(file)
          .on('data', (c) => h.update(c))
          .on('end', () => res())
          .on('error', rej);
      });
      return h.digest('hex');
    },
    tempDirBeside: (near, prefix) => mkdtemp(join(dirname(near), `.${basename(near)}-${prefix}`)),
    lstat: (path) => lstat(path).then(fileStat, () => undefined),
    copyFile: (from, to) => copyFile(from, to),
    move: (from, to) => rename(from, to),
    symlink: (target, path) => symlink(target, path),
    unlink: (path) => unlink(path),
    async setMeta(path, meta) {
      await chmod(path, meta.mode);
      await utimes(path, meta.atime, meta.mtime);
    },
  };
}
