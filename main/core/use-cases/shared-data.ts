// Shared data (design decision 7): ~/.ktrdr/shared/{data,strategies,models}, mounted into every instance through
// the KTRDR_*_DIR variables. `init` sets it up (empty, or from a directory or a "shared data package"
// tarball), `pack` makes that package, `status` shows size and file count per folder.
// init never deletes anything, and never overwrites a differing file without --force (it refuses, listing them).
// Folders are changed in place (never removed and recreated), so running instances keep their bind mounts.
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Deps, FileTree, TreeEntry } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { formatBytes } from '../../shared/format';

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

type Entry = TreeEntry;

/** What the shared-data commands touch: the shared root, files, trees, archives, the working directory. */
export type SharedDeps = Pick<Deps, 'sharedHome' | 'files' | 'tree' | 'archive' | 'env'>;

async function folderStatus(deps: SharedDeps, folder: SharedFolder): Promise<FolderStatus> {
  const path = join(deps.sharedHome, folder);
  const exists = deps.files.exists(path);
  const entries = exists ? await deps.tree.walk(path) : [];
  const files = entries.filter((e) => e.type === 'file');
  return { folder, path, exists, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) };
}

export async function sharedStatus(deps: SharedDeps): Promise<SharedStatus> {
  const root = deps.sharedHome;
  const folders = await Promise.all(SHARED_FOLDERS.map((f) => folderStatus(deps, f)));
  return { root, folders, files: folders.reduce((n, f) => n + f.files, 0), bytes: folders.reduce((n, f) => n + f.bytes, 0) };
}

export interface SharedInitOptions {
  /** A directory holding data/, strategies/, models/ (any of them), or a tarball made by `shared pack`. */
  from?: string;
  /** Only create the empty folders. */
  minimal?: boolean;
  /** Overwrite existing files that differ from the source (files only in the destination are still kept). */
  force?: boolean;
  /** Resolves a relative --from (default: the process's working directory). */
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

export async function sharedInit(deps: SharedDeps, opts: SharedInitOptions = {}, emit: EventSink = noEvents): Promise<SharedInitResult> {
  const root = deps.sharedHome;
  if (opts.minimal && opts.from) throw new SandboxError('USAGE', 'Pass either --minimal or --from, not both');
  const created: SharedFolder[] = [];
  const ensureFolders = async () => {
    for (const f of SHARED_FOLDERS) {
      if (!deps.files.exists(join(root, f))) {
        deps.files.mkdir(join(root, f));
        created.push(f);
      }
    }
  };
  const result = (over: Partial<SharedInitResult>): Promise<SharedInitResult> =>
    sharedStatus(deps).then((status) => ({
      root,
      source: null,
      sourceKind: null,
      created,
      skipped: [],
      added: 0,
      unchanged: 0,
      overwritten: [],
      kept: 0,
      ...over,
      status,
    }));

  if (!opts.from) {
    await ensureFolders();
    for (const f of created) emit({ type: 'step', id: 'shared', label: `created ${join(root, f)}`, state: 'passed' });
    return result({});
  }

  const { files, tree } = deps;
  const from = resolve(opts.cwd ?? deps.env.cwd(), opts.from);
  let st;
  try {
    st = files.stat(from);
  } catch {
    st = undefined;
  }
  if (!st) throw new SandboxError('USAGE', `--from ${from} does not exist`);
  files.mkdir(root);
  let tmp: string | null = null;
  try {
    let src = from;
    const kind: SharedInitResult['sourceKind'] = st.kind === 'dir' ? 'directory' : 'tarball';
    if (kind === 'tarball') {
      tmp = await tree.tempDirBeside(root, 'unpack-');
      emit({ type: 'step', id: 'unpack', label: `unpacking ${from}`, state: 'running' });
      try {
        await deps.archive.unpack(from, tmp);
      } catch (err) {
        throw new SandboxError('USAGE', `Cannot unpack ${from}: ${(err as Error).message}`, {
          hint: 'Pass a directory or a .tar.gz made by `ktrdr-sandbox shared pack`.',
        });
      }
      emit({ type: 'step', id: 'unpack', label: `unpacked ${from}`, state: 'passed' });
      src = packageRoot(deps, tmp);
    }
    const present = SHARED_FOLDERS.filter((f) => files.exists(join(src, f)));
    if (!present.length) {
      throw new SandboxError('USAGE', `${from} holds none of ${SHARED_FOLDERS.map((f) => `${f}/`).join(', ')}`, {
        hint: 'Point --from at a directory laid out like ~/.ktrdr/shared, or at a tarball made by `shared pack`.',
      });
    }
    // Plan everything first: refuse before touching anything.
    const plans = await Promise.all(present.map(async (f) => ({ folder: f, plan: await planFolder(tree, join(src, f), join(root, f)) })));
    const conflicts = plans.flatMap((p) => p.plan.conflicts.map((c) => ({ ...c, path: join(p.folder, c.path) })));
    if (conflicts.length && !opts.force) {
      const shown = conflicts.slice(0, 20).map((c) => `  ${c.path} (existing: ${c.existing}; incoming: ${c.incoming})`);
      throw new SandboxError(
        'STATE',
        `Refusing to overwrite ${conflicts.length} existing file${conflicts.length === 1 ? '' : 's'} in ${root}:\n${shown.join('\n')}${conflicts.length > shown.length ? `\n  … and ${conflicts.length - shown.length} more` : ''}`,
        {
          hint: 'Nothing was changed. Pass --force to overwrite them (files that exist only in the shared folder are never deleted).',
          details: { conflicts },
        },
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
      for (const e of plan.writes) await place(deps, s, d, e, move);
      // directory modes/times last (writing children changes a directory's mtime)
      for (const e of [...plan.dirs].reverse()) await tree.setMeta(join(d, e.rel), e);
      const conflicting = new Set(plan.conflicts.map((c) => c.path));
      const fresh = plan.writes.filter((e) => e.type !== 'dir' && !conflicting.has(e.rel)).length;
      added += fresh;
      unchanged += plan.unchanged;
      kept += plan.extra;
      overwritten.push(...plan.conflicts.map((c) => join(folder, c.path)));
      emit({
        type: 'step',
        id: 'shared',
        label: `${folder}: ${fresh} added, ${plan.conflicts.length} overwritten, ${plan.unchanged} unchanged`,
        state: 'passed',
      });
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
    if (tmp) await files.remove(tmp);
  }
}

/** A tarball may wrap the folders in one top directory (e.g. `shared/data/...`): descend into it. */
function packageRoot(deps: SharedDeps, dir: string): string {
  if (SHARED_FOLDERS.some((f) => deps.files.exists(join(dir, f)))) return dir;
  const names = deps.files.list(dir);
  if (names.length === 1 && deps.files.stat(join(dir, names[0]!))?.kind === 'dir') return packageRoot(deps, join(dir, names[0]!));
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

async function planFolder(tree: FileTree, src: string, dst: string): Promise<Plan> {
  const [from, to] = await Promise.all([tree.walk(src), tree.walk(dst)]);
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
      else if (e.type === 'file')
        same = e.size === cur.size && (await tree.sha256(join(src, e.rel))) === (await tree.sha256(join(dst, e.rel)));
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

/** Create or replace one entry of dst from src (rename when the source is our own unpack directory). */
async function place(deps: SharedDeps, srcRoot: string, dstRoot: string, e: Entry, move: boolean): Promise<void> {
  const { files, tree } = deps;
  const s = join(srcRoot, e.rel);
  const d = join(dstRoot, e.rel);
  const cur = await tree.lstat(d);
  if (e.type === 'dir') {
    if (cur && cur.kind !== 'dir') await tree.unlink(d);
    if (!cur || cur.kind !== 'dir') files.mkdir(d);
    return;
  }
  if (cur?.kind === 'dir')
    await files.remove(d); // a directory replaced by a file (--force only)
  else if (cur && (e.type === 'symlink' || cur.kind === 'symlink')) await tree.unlink(d);
  files.mkdir(dirname(d));
  if (e.type === 'symlink') {
    await tree.symlink(e.target!, d);
    return;
  }
  if (move) {
    await tree.move(s, d);
  } else {
    await tree.copyFile(s, d);
  }
  await tree.setMeta(d, e);
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

export async function sharedPack(deps: SharedDeps, opts: SharedPackOptions = {}, emit: EventSink = noEvents): Promise<SharedPackResult> {
  const root = deps.sharedHome;
  const status = await sharedStatus(deps);
  const present = status.folders.filter((f) => f.exists);
  if (!present.length) {
    throw new SandboxError('STATE', `Nothing to pack: ${root} has none of ${SHARED_FOLDERS.join(', ')}`, {
      hint: 'Set it up with `ktrdr-sandbox shared init`.',
    });
  }
  const cwd = opts.cwd ?? deps.env.cwd();
  const date = new Date(opts.now ?? Date.now()).toISOString().slice(0, 10).replace(/-/g, '');
  const file = resolve(cwd, opts.out ?? `ktrdr-shared-${date}.tar.gz`);
  if (deps.files.exists(file))
    throw new SandboxError('USAGE', `${file} already exists`, { hint: 'Pass another --out FILE (a package is never overwritten).' });
  const rel = relative(root, file);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`))) {
    throw new SandboxError('USAGE', `--out ${file} is inside ${root}`, { hint: 'Write the package outside the shared folder.' });
  }
  deps.files.mkdir(dirname(file));
  const partial = `${file}.partial`;
  emit({ type: 'step', id: 'pack', label: `packing ${present.map((f) => f.folder).join(', ')}`, state: 'running' });
  try {
    await deps.archive.pack(
      partial,
      root,
      present.map((f) => f.folder),
    );
    await deps.tree.move(partial, file);
  } catch (err) {
    await deps.files.remove(partial);
    throw err;
  }
  emit({ type: 'step', id: 'pack', label: `packed ${status.files} files into ${file}`, state: 'passed' });
  return {
    file,
    bytes: deps.files.stat(file)?.size ?? 0,
    sha256: await deps.tree.sha256(file),
    folders: status.folders,
    files: status.files,
  };
}

export { formatBytes }; // (in shared/format.ts: `status` prints sizes without loading this module)
