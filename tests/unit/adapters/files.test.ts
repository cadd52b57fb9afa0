// The real Files / FileTree / Archive / HostEnv adapters on a temp dir: the contract the core's in-memory fakes
// (tests/unit/core/memory-files.ts) imitate.
import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArchive } from '../../../main/adapters/archive';
import { createFileTree } from '../../../main/adapters/file-tree';
import { nodeFiles as files } from '../../../main/adapters/files';
import { createHostEnv } from '../../../main/adapters/host-env';
import { MemoryFiles } from '../core/memory-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kts-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Files (node) and its in-memory fake agree', () => {
  for (const [name, make] of [
    ['node', () => ({ fs: files, root: dir })],
    ['memory', () => ({ fs: new MemoryFiles(), root: '/r' })],
  ] as const) {
    it(`${name}: missing → undefined/[]/false, writeNew only once, removeEmptyDir only when empty, remove is rm -rf`, async () => {
      const { fs, root } = make();
      fs.mkdir(root);
      const a = join(root, 'sub', 'a.txt');
      expect(fs.readText(a)).toBeUndefined();
      expect(fs.stat(a)).toBeUndefined();
      expect(fs.list(join(root, 'sub'))).toEqual([]);
      expect(fs.exists(a)).toBe(false);
      fs.mkdir(join(root, 'sub'));
      expect(fs.writeNew(a, 'one')).toBe(true);
      expect(fs.writeNew(a, 'two')).toBe(false);
      expect(fs.readText(a)).toBe('one');
      fs.write(a, 'three');
      expect(fs.readText(a)).toBe('three');
      expect(fs.stat(a)).toMatchObject({ kind: 'file', size: 5 });
      expect(fs.stat(join(root, 'sub'))?.kind).toBe('dir');
      expect(() => fs.readText(join(root, 'sub'))).toThrow(); // a directory is an error, not "missing"
      expect(fs.list(join(root, 'sub'))).toEqual(['a.txt']);
      expect(await fs.removeEmptyDir(join(root, 'sub'))).toBe(false);
      await fs.remove(join(root, 'sub'));
      expect(fs.exists(join(root, 'sub'))).toBe(false);
      await fs.remove(join(root, 'sub')); // absent: nothing
      fs.mkdir(join(root, 'empty'));
      expect(await fs.removeEmptyDir(join(root, 'empty'))).toBe(true);
      expect(await fs.freeBytes(root)).toBeGreaterThan(0);
    });
  }
});

describe('FileTree and Archive', () => {
  it('walks without following symlinks, hashes, and a pack unpacks to the same tree', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'data', 'deep'), { recursive: true });
    await writeFile(join(src, 'data', 'deep', 'x.csv'), 'a,b\n');
    await symlink('deep/x.csv', join(src, 'data', 'link'));
    const tree = createFileTree();
    const entries = await tree.walk(src);
    expect(entries.map((e) => `${e.type} ${e.rel}${e.target ? ` -> ${e.target}` : ''}`)).toEqual([
      'dir data',
      'dir data/deep',
      'file data/deep/x.csv',
      'symlink data/link -> deep/x.csv',
    ]);
    expect(await tree.walk(join(dir, 'missing'))).toEqual([]);
    expect(await tree.sha256(join(src, 'data', 'deep', 'x.csv'))).toBe('5be08c9684a1d25efcee09318204824278b08bbfb4aef973ffefd0b9d7478313'); // sha256sum of 'a,b\n'
    expect((await tree.lstat(join(src, 'data', 'link')))?.kind).toBe('symlink');
    const archive = createArchive();
    const file = join(dir, 'p.tar.gz');
    await archive.pack(file, src, ['data']);
    const out = join(dir, 'out');
    await mkdir(out);
    await archive.unpack(file, out);
    expect((await tree.walk(out)).map((e) => `${e.type} ${e.rel}`)).toEqual(entries.map((e) => `${e.type} ${e.rel}`));
    await expect(archive.unpack(join(src, 'data', 'deep', 'x.csv'), out)).rejects.toThrow();
  });
});

describe('HostEnv', () => {
  it('reads the environment it was given, and knows this process alive and a made-up one gone', () => {
    const env = createHostEnv({ FOO: 'bar' });
    expect(env.get('FOO')).toBe('bar');
    expect(env.get('HOME')).toBeUndefined();
    expect(env.pid).toBe(process.pid);
    expect(env.alive(process.pid)).toBe(true);
    expect(env.alive(2 ** 22 + 12345)).toBe(false);
    expect(env.alive(-1)).toBe(false);
    expect(env.cwd()).toBe(process.cwd());
  });
});
