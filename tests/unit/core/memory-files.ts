// In-memory fakes of the Files and HostEnv ports for core unit tests: no temp directory, no real process.
import { dirname } from 'node:path';
import type { FileStat, Files, HostEnv } from '../../../main/core/deps';

function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

/** A file system of absolute paths: files (text) and directories. Parents are made on demand by mkdir only. */
export class MemoryFiles implements Files {
  readonly files = new Map<string, { text: string; mode: number; mtime: Date; ino: number }>();
  private inodes = 1;
  readonly dirs = new Set<string>(['/']);
  /** Free bytes reported for any directory. */
  free = 100 * 1024 ** 3;

  constructor(init: Record<string, string> = {}) {
    for (const [path, text] of Object.entries(init)) {
      this.mkdir(dirname(path));
      this.files.set(path, { text, mode: 0o644, mtime: new Date(0), ino: this.inodes++ });
    }
  }

  readText(file: string): string | undefined {
    if (this.dirs.has(file)) throw errno('EISDIR', file);
    return this.files.get(file)?.text;
  }
  write(file: string, text: string, opts?: { mode?: number }): void {
    if (!this.dirs.has(dirname(file))) throw errno('ENOENT', file);
    if (this.dirs.has(file)) throw errno('EISDIR', file);
    const cur = this.files.get(file);
    this.files.set(file, { text, mode: cur?.mode ?? opts?.mode ?? 0o644, mtime: new Date(), ino: cur?.ino ?? this.inodes++ });
  }
  writeNew(file: string, text: string, opts?: { mode?: number }): boolean {
    if (this.exists(file)) return false;
    this.write(file, text, opts);
    return true;
  }
  exists(path: string): boolean {
    return this.files.has(path) || this.dirs.has(path);
  }
  stat(path: string): FileStat | undefined {
    const f = this.files.get(path);
    if (f)
      return {
        kind: 'file',
        size: Buffer.byteLength(f.text),
        mode: f.mode,
        mtime: f.mtime,
        atime: f.mtime,
        mtimeMs: f.mtime.getTime(),
        dev: 1,
        ino: f.ino,
      };
    if (this.dirs.has(path))
      return { kind: 'dir', size: 4096, mode: 0o755, mtime: new Date(0), atime: new Date(0), mtimeMs: 0, dev: 1, ino: 0 };
    return undefined;
  }
  list(dir: string): string[] {
    if (!this.dirs.has(dir)) return [];
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p !== dir && p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }
  mkdir(dir: string): void {
    for (let d = dir; !this.dirs.has(d); d = dirname(d)) {
      if (this.files.has(d)) throw errno('EEXIST', d);
      this.dirs.add(d);
    }
  }
  realpath(path: string): string | undefined {
    return this.exists(path) ? path : undefined;
  }
  async remove(path: string): Promise<void> {
    this.files.delete(path);
    this.dirs.delete(path);
    for (const p of [...this.files.keys()]) if (p.startsWith(`${path}/`)) this.files.delete(p);
    for (const p of [...this.dirs]) if (p.startsWith(`${path}/`)) this.dirs.delete(p);
  }
  async removeEmptyDir(dir: string): Promise<boolean> {
    if (!this.dirs.has(dir) || this.list(dir).length) return false;
    this.dirs.delete(dir);
    return true;
  }
  async freeBytes(): Promise<number> {
    return this.free;
  }
  /** Every path below dir (files and directories), relative, sorted: for assertions. */
  tree(dir: string): string[] {
    return [...this.files.keys(), ...this.dirs]
      .filter((p) => p.startsWith(`${dir}/`))
      .map((p) => p.slice(dir.length + 1))
      .sort();
  }
  /** A shortcut for tests: write a file, making its parents. */
  put(file: string, text: string): this {
    this.mkdir(dirname(file));
    this.write(file, text);
    return this;
  }
}

/**
 * A HostEnv with a fixed pid and host; `alivePids` are the processes running on it. Its variables turn `up`'s
 * capacity check off (KTRDR_SANDBOX_CAPACITY=0, the documented switch) unless a test passes its own `vars`: only
 * the tests about the check (capacity-check.test.ts, remote-ops) fake the engines it measures.
 */
export function fakeEnv(over: Partial<HostEnv> & { alivePids?: number[]; vars?: Record<string, string> } = {}): HostEnv {
  const alive = new Set(over.alivePids ?? [4242]);
  const vars = over.vars ?? { KTRDR_SANDBOX_CAPACITY: '0' };
  return {
    get: (name) => vars[name],
    all: () => vars,
    cwd: () => '/work',
    pid: 4242,
    hostname: () => 'this-host',
    platform: 'linux',
    arch: 'x64',
    nodeVersion: 'v20.19.0',
    alive: (pid) => alive.has(pid),
    ...over,
  };
}
