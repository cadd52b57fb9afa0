// Files, directory trees and archives as the core sees them (adapters/files.ts, file-tree.ts, archive.ts).

/** What is at a path (stat follows symlinks; a tree walk sees a symlink as itself). */
export interface FileStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  mtime: Date;
  atime: Date;
  /** mtime with the file system's precision (sub-millisecond), for change detection. */
  mtimeMs: number;
  /** The device (filesystem) holding the path, and the inode there (an atomic replace changes it). */
  dev: number;
  ino: number;
}

/**
 * The file system as the core needs it: small files (the registry's neighbours, override, owner id, run log,
 * manifest) read and written SYNCHRONOUSLY on purpose — a CLI command reads a handful, and node's promise API
 * costs a thread-pool start (~4 ms) on first use plus a round trip per call where a sync read takes ~0.1 ms.
 * Removing trees is asynchronous. Implemented in main/adapters/files.ts; faked in memory in unit tests.
 */
export interface Files {
  /** The file's text, or undefined when it does not exist. Other errors (permissions, a directory) are thrown. */
  readText(file: string): string | undefined;
  /** Write (create or replace) a file (mode: on creation, under the umask). The parent directory must exist. */
  write(file: string, text: string, opts?: { mode?: number }): void;
  /** Create a file that must not exist yet (O_EXCL); false when it already did. */
  writeNew(file: string, text: string, opts?: { mode?: number }): boolean;
  exists(path: string): boolean;
  /** undefined when nothing is there. */
  stat(path: string): FileStat | undefined;
  /** Names in a directory; [] when it does not exist. */
  list(dir: string): string[];
  /** mkdir -p */
  mkdir(dir: string): void;
  /** The path with symlinks resolved; undefined when it cannot be resolved. */
  realpath(path: string): string | undefined;
  /** rm -rf: a file or a whole tree; nothing when absent. */
  remove(path: string): Promise<void>;
  /** rmdir: only an empty directory; false when it is not empty or not there. */
  removeEmptyDir(dir: string): Promise<boolean>;
  /** Bytes free for us on the filesystem holding dir. */
  freeBytes(dir: string): Promise<number>;
}

/** One entry of a directory tree (relative path), as `shared init` compares and copies them. */
export interface TreeEntry {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtime: Date;
  atime: Date;
  /** A symlink's target. */
  target?: string;
}

/** Copying directory trees entry by entry (shared data): what `shared init` needs beyond Files. */
export interface FileTree {
  /** Every entry under dir (sorted, parents before children; symlinks not followed). [] when dir is missing. */
  walk(dir: string): Promise<TreeEntry[]>;
  sha256(file: string): Promise<string>;
  /** A new empty directory beside `near` (named .<basename>-<prefix>XXXXXX). */
  tempDirBeside(near: string, prefix: string): Promise<string>;
  /** What is at path itself (a symlink is a symlink); undefined when nothing is. */
  lstat(path: string): Promise<FileStat | undefined>;
  copyFile(from: string, to: string): Promise<void>;
  /** rename(2): same filesystem. */
  move(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Remove a file or symlink (not a directory). */
  unlink(path: string): Promise<void>;
  /** chmod + utimes. */
  setMeta(path: string, meta: { mode: number; atime: Date; mtime: Date }): Promise<void>;
}

/** Gzipped tar archives (shared data packages, evidence bundles). */
export interface Archive {
  /** Write `file` (.tar.gz, portable: no owners) holding `names`, relative to cwd. */
  pack(file: string, cwd: string, names: string[]): Promise<void>;
  /** Unpack `file` into the existing directory `dir` (strict: a damaged archive fails; owners not kept). */
  unpack(file: string, dir: string): Promise<void>;
}
