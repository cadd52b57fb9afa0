// Shared data (design decision 7): ~/.ktrdr/shared/{data,strategies,models}, mounted into every instance through
// the KTRDR_*_DIR variables. `init` sets it up (empty, or from a directory or a "shared data package"
// tarball), `pack` makes that package, `status` shows size and file count per folder.
// init never deletes anything, and never overwrites a differing file without --force (it refuses, listing them).
// Folders are changed in place (never removed and recreated), so running instances keep their bind mounts.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, stat, symlink, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import * as tar from 'tar';
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';

export const SHARED_FOLDERS = ['data', 'strategies', 'models'] as const;
export type SharedFolder = (typeof SHARED_FOLDERS)[number];

export interface FolderStatus {
  folder: SharedFolder;
  path: string;
  exists: boolean;
  files: number;
  bytes: number;
}

export interface SharedStatus {
  root: string;
  folders: FolderStatus[];
  files: number;
  bytes: number;
}

interface Entry {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtime: Date;
  atime: Date;
  target?: string;
}

/** Every entry under dir (relative paths, parents before children). Missing dir → []. */
async function walk(dir: string): Promise<Entry[]> {
  const out: Entry[] = [];
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

async function folderStatus(root: string, folder: SharedFolder): Promise<FolderStatus> {
  const path = join(root, folder);
  const exists = existsSync(path);
  const entries = exists ? await walk(path) : [];
  const files = entries.filter((e) => e.type === 'file');
  return { folder, path, exists, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) };
}

export async function sharedStatus(deps: Pick<Deps, 'sharedHome'>): Promise<SharedStatus> {
  const root = deps.sharedHome;
  const folders = await Promise.all(SHARED_FOLDERS.map((f) => folderStatus(root, f)));
  return { root, folders, files: folders.reduce((n, f) => n + f.files, 0), bytes: folders.reduce((n, f) => n + f.bytes, 0) };
}

export interface SharedInitOptions {
  /** A directory holding data/, strategies/, models/ (any of them), or a tarball made by `shared pack`. */
  from?: string;
  /** Only create the empty folders. */
  minimal?: boolean;
  /** Overwrite existing files that differ from the source (files only in the destination are still kept). */
  force?: boolean;
  /** Resolves a relative --from (default: process.cwd()). */
  cwd?: string;
}

export interface Conflict {
  path: string;
  existing: string;
  incoming: string;
}

export interface SharedInitResult {
  root: string;
  source: string | null;
  sourceKind: 'directory' | 'tarball' | null;
  /** Folders that did not exist and were created. */
  created: SharedFolder[];
  /** Folders the source does not have (left as they are). */
  skipped: SharedFolder[];
  /** Files written that did not exist before. */
  added: number;
  /** Files identical in source and destination. */
  unchanged: number;
  /** Files replaced (only with --force). */
  overwritten: string[];
  /** Files only in the destination (always kept). */
  kept: number;
  status: SharedStatus;
}

export async function sharedInit(deps: Pick<Deps, 'sharedHome'>, opts: SharedInitOptions = {}, emit: EventSink = noEvents): Promise<SharedInitResult> {
  const root = deps.sharedHome;
  if (opts.minimal && opts.from) throw new SandboxError('USAGE', 'Pass either --minimal or --from, not both');
  const created: SharedFolder[] = [];
  const ensureFolders = async () => {
    for (const f of SHARED_FOLDERS) {
      if (!existsSync(join(root, f))) {
        await mkdir(join(root, f), { recursive: true });
        created.push(f);
      }
    }
  };
  const result = (over: Partial<SharedInitResult>): Promise<SharedInitResult> =>
    sharedStatus(deps).then((status) => ({ root, source: null, sourceKind: null, created, skipped: [], added: 0, unchanged: 0, overwritten: [], kept: 0, ...over, status }));

  if (!opts.from) {
    await ensureFolders();
    for (const f of created) emit({ type: 'step', id: 'shared', label: `created ${join(root, f)}`, state: 'passed' });
    return result({});
  }

  const from = resolve(opts.cwd ?? process.cwd(), opts.from);
  let st;
  try {
    st = await stat(from);
  } catch {
    throw new SandboxError('USAGE', `--from ${from} does not exist`);
  }
  await mkdir(root, { recursive: true });
  let tmp: string | null = null;
  try {
    let src = from;
    const kind: SharedInitResult['sourceKind'] = st.isDirectory() ? 'directory' : 'tarball';
    if (kind === 'tarball') {
      tmp = await mkdtemp(join(dirname(root), `.${basename(root)}-unpack-`));
      emit({ type: 'step', id: 'unpack', label: `unpacking ${from}`, state: 'running' });
      try {
        await tar.x({ file: from, cwd: tmp, strict: true, preserveOwner: false });
      } catch (err) {
        throw new SandboxError('USAGE', `Cannot unpack ${from}: ${(err as Error).message}`, { hint: 'Pass a directory or a .tar.gz made by `ktrdr-sandbox shared pack`.' });
      }
      emit({ type: 'step', id: 'unpack', label: `unpacked ${from}`, state: 'passed' });
      src = await packageRoot(tmp);
    }
    const present = SHARED_FOLDERS.filter((f) => existsSync(join(src, f)));
    if (!present.length) {
      throw new SandboxError('USAGE', `${from} holds none of ${SHARED_FOLDERS.map((f) => `${f}/`).join(', ')}`, {
        hint: 'Point --from at a directory laid out like ~/.ktrdr/shared, or at a tarball made by `shared pack`.',
      });
    }
    // Plan everything first: refuse before touching anything.
    const plans = await Promise.all(present.map(async (f) => ({ folder: f, plan: await planFolder(join(src, f), join(root, f)) })));
    const conflicts = plans.flatMap((p) => p.plan.conflicts.map((c) => ({ ...c, path: join(p.folder, c.path) })));
    if (conflicts.length && !opts.force) {
      const shown = conflicts.slice(0, 20).map((c) => `  ${c.path} (existing: ${c.existing}; incoming: ${c.incoming})`);
      throw new SandboxError(
        'STATE',
        `Refusing to overwrite ${conflicts.length} existing file${conflicts.length === 1 ? '' : 's'} in ${root}:\n${shown.join('\n')}${conflicts.length > shown.length ? `\n  … and ${conflicts.length - shown.length} more` : ''}`,
        { hint: 'Nothing was changed. Pass --force to overwrite them (files that exist only in the shared folder are never deleted).', details: { conflicts } },
      );
    }
    await ensureFolders();
    const move = tmp !== null;
    let added = 0;
    let unchanged = 0;
    let kept = 0;
    const overwritten: string[] = [];
    for (const { folder, plan } of plans) {
      const s = join(src, folder);
      const d = join(root, folder);
      for (const e of plan.writes) await place(s, d, e, move);
      // directory modes/times last (writing children changes a directory's mtime)
      for (const e of [...plan.dirs].reverse()) await applyMeta(join(d, e.rel), e);
      const conflicting = new Set(plan.conflicts.map((c) => c.path));
      const fresh = plan.writes.filter((e) => e.type !== 'dir' && !conflicting.has(e.rel)).length;
      added += fresh;
      unchanged += plan.unchanged;
      kept += plan.extra;
      overwritten.push(...plan.conflicts.map((c) => join(folder, c.path)));
      emit({ type: 'step', id: 'shared', label: `${folder}: ${fresh} added, ${plan.conflicts.length} overwritten, ${plan.unchanged} unchanged`, state: 'passed' });
    }
    return await result({
      source: from,
      sourceKind: kind,
      skipped: SHARED_FOLDERS.filter((f) => !present.includes(f)),
      added,
      unchanged,
      overwritten,
      kept,
    });
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/** A tarball may wrap the folders in one top directory (e.g. `shared/data/...`): descend into it. */
async function packageRoot(dir: string): Promise<string> {
  if (SHARED_FOLDERS.some((f) => existsSync(join(dir, f)))) return dir;
  const names = await readdir(dir, { withFileTypes: true });
  if (names.length === 1 && names[0]!.isDirectory()) return packageRoot(join(dir, names[0]!.name));
  return dir;
}

interface Plan {
  /** Entries to create or replace (files, symlinks, directories), parents first. */
  writes: Entry[];
  /** Source directories (to set their mode/mtime at the end). */
  dirs: Entry[];
  conflicts: Conflict[];
  unchanged: number;
  /** Entries only in the destination (kept). */
  extra: number;
}

function describe(e: Entry | undefined): string {
  if (!e) return 'absent';
  if (e.type === 'dir') return 'a directory';
  if (e.type === 'symlink') return `a symlink to ${e.target}`;
  return formatBytes(e.size);
}

async function planFolder(src: string, dst: string): Promise<Plan> {
  const [from, to] = await Promise.all([walk(src), walk(dst)]);
  const have = new Map(to.map((e) => [e.rel, e]));
  const plan: Plan = { writes: [], dirs: from.filter((e) => e.type === 'dir'), conflicts: [], unchanged: 0, extra: 0 };
  const wanted = new Set(from.map((e) => e.rel));
  for (const e of from) {
    const cur = have.get(e.rel);
    if (!cur) {
      plan.writes.push(e);
      continue;
    }
    if (e.type === 'dir' && cur.type === 'dir') continue;
    let same = false;
    if (e.type === cur.type) {
      if (e.type === 'symlink') same = e.target === cur.target;
      else if (e.type === 'file') same = e.size === cur.size && (await sha256(join(src, e.rel))) === (await sha256(join(dst, e.rel)));
    }
    if (same) {
      plan.unchanged++;
      continue;
    }
    plan.conflicts.push({ path: e.rel, existing: describe(cur), incoming: describe(e) });
    plan.writes.push(e);
  }
  plan.extra = to.filter((e) => e.type !== 'dir' && !wanted.has(e.rel)).length;
  return plan;
}

async function applyMeta(path: string, e: Entry): Promise<void> {
  await chmod(path, e.mode);
  await utimes(path, e.atime, e.mtime);
}

/** Create or replace one entry of dst from src (rename when the source is our own unpack directory). */
async function place(srcRoot: string, dstRoot: string, e: Entry, move: boolean): Promise<void> {
  const s = join(srcRoot, e.rel);
  const d = join(dstRoot, e.rel);
  const cur = await lstat(d).catch(() => null);
  if (e.type === 'dir') {
    if (cur && !cur.isDirectory()) await unlink(d);
    if (!cur || !cur.isDirectory()) await mkdir(d, { recursive: true });
    return;
  }
  if (cur?.isDirectory()) await rm(d, { recursive: true, force: true }); // a directory replaced by a file (--force only)
  else if (cur && (e.type === 'symlink' || cur.isSymbolicLink())) await unlink(d);
  await mkdir(dirname(d), { recursive: true });
  if (e.type === 'symlink') {
    await symlink(e.target!, d);
    return;
  }
  if (move) {
    await rename(s, d);
  } else {
    await copyFile(s, d);
  }
  await applyMeta(d, e);
}

export async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((res, rej) => {
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => res())
      .on('error', rej);
  });
  return h.digest('hex');
}

export interface SharedPackOptions {
  /** Tarball to write (default: ./ktrdr-shared-<date>.tar.gz). Never overwritten. */
  out?: string;
  cwd?: string;
  /** For the default file name. */
  now?: number;
}

export interface SharedPackResult {
  file: string;
  bytes: number;
  sha256: string;
  folders: FolderStatus[];
  files: number;
}

export async function sharedPack(deps: Pick<Deps, 'sharedHome'>, opts: SharedPackOptions = {}, emit: EventSink = noEvents): Promise<SharedPackResult> {
  const root = deps.sharedHome;
  const status = await sharedStatus(deps);
  const present = status.folders.filter((f) => f.exists);
  if (!present.length) {
    throw new SandboxError('STATE', `Nothing to pack: ${root} has none of ${SHARED_FOLDERS.join(', ')}`, { hint: 'Set it up with `ktrdr-sandbox shared init`.' });
  }
  const cwd = opts.cwd ?? process.cwd();
  const date = new Date(opts.now ?? Date.now()).toISOString().slice(0, 10).replace(/-/g, '');
  const file = resolve(cwd, opts.out ?? `ktrdr-shared-${date}.tar.gz`);
  if (existsSync(file)) throw new SandboxError('USAGE', `${file} already exists`, { hint: 'Pass another --out FILE (a package is never overwritten).' });
  const rel = relative(root, file);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`))) {
    throw new SandboxError('USAGE', `--out ${file} is inside ${root}`, { hint: 'Write the package outside the shared folder.' });
  }
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  emit({ type: 'step', id: 'pack', label: `packing ${present.map((f) => f.folder).join(', ')}`, state: 'running' });
  try {
    await tar.c({ gzip: true, file: partial, cwd: root, portable: true }, present.map((f) => f.folder));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  emit({ type: 'step', id: 'pack', label: `packed ${status.files} files into ${file}`, state: 'passed' });
  return { file, bytes: (await stat(file)).size, sha256: await sha256(file), folders: status.folders, files: status.files };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
