// The parts of destroy: the preview (what would be deleted and lost), the refusal, and the crash-consistent
// removal — mark the entry `destroying` (the first write: an unwritable registry fails before anything is
// removed), remove containers/volumes/networks, the directory and the per-instance files, then forget the entry.
// A crash at any point leaves a `destroying` entry that the next command finishes (main/core/recovery.ts).
import { isAbsolute, join, resolve } from 'node:path';
import type { Deps, Files } from '../deps';
import { classifyRisk, describeRiskFiles, disposablePatterns } from '../destroy-risk';
import { envFilePath } from '../envfile';
import { SandboxError } from '../errors';
import { step, type EventSink } from '../events';
import { loadManifest } from '../manifest';
import { originOf } from '../registry';
import { canonical, loadInstance, secretTarget } from '../resolve';
import type { DestroyPreview, DestroyResult } from '../../shared/results';
import type { InstanceRecord } from '../../shared/types';
import { ownerId } from '../owner';
import { removeOverrideState } from '../override/state';
import { releaseSharedLinks } from './isolation-links';

export interface DestroyOptions {
  force?: boolean;
  keepWorktree?: boolean;
}

/** Does dir hold a `.git` link to worktree metadata that still exists? (false: gone, or not a linked worktree) */
export function worktreeLinkOk(files: Files, dir: string): boolean {
  const dotGit = join(dir, '.git');
  try {
    const st = files.stat(dotGit);
    if (!st) return false;
    if (st.kind === 'dir') return true; // a full repository (a clone)
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(files.readText(dotGit) ?? '');
    if (!m) return false;
    const target = isAbsolute(m[1]!) ? m[1]! : resolve(dir, m[1]!);
    return files.exists(join(target, 'HEAD'));
  } catch {
    return false;
  }
}

async function disposableFor(deps: Pick<Deps, 'files' | 'env'>, rec: InstanceRecord): Promise<string[]> {
  // an unreadable manifest must not block a destroy: the defaults alone (the manifest can only add or remove)
  const m = await loadManifest(rec.path, { platform: deps.env.platform }, deps.files).then(
    (l) => l.manifest,
    () => undefined,
  );
  return disposablePatterns(m?.destroy?.disposable ?? []);
}

/** What destroying this instance would delete, and what of it is someone's work. Reads only. */
export async function previewDestroy(deps: Deps, rec: InstanceRecord, opts: DestroyOptions = {}): Promise<DestroyPreview> {
  const origin = originOf(rec);
  const dirExists = deps.files.exists(rec.path);
  const deletesDirectory = dirExists && rec.kind === 'worktree' && origin === 'created' && !opts.keepWorktree;
  const p: DestroyPreview = {
    id: rec.id,
    path: rec.path,
    slot: rec.slot,
    kind: rec.kind,
    origin,
    dirExists,
    deletesDirectory,
    metadataMissing: false,
    atRisk: [],
    disposable: [],
    keptCommits: null,
    lostCommits: 0,
    refused: false,
  };
  if (!deletesDirectory) return p;
  const disposable = await disposableFor(deps, rec);
  let lines: string[];
  const linked =
    worktreeLinkOk(deps.files, rec.path) &&
    canonical((await deps.git.topLevel(rec.path)) ?? '', deps.files) === canonical(rec.path, deps.files);
  if (linked) {
    const [status, branch, unpushed] = await Promise.all([
      deps.git.statusAll(rec.path),
      deps.git.currentBranch(rec.path),
      deps.git.unpushed(rec.path),
    ]);
    lines = status;
    if (unpushed.count > 0) {
      if (branch) p.keptCommits = { count: unpushed.count, branch, against: unpushed.against };
      else p.lostCommits = unpushed.count;
    }
  } else {
    // .git/worktrees/<id> is gone (or the .git link itself): git cannot see this directory as a worktree, so it
    // is compared with its branch in the main repository — every file not exactly as committed counts.
    p.metadataMissing = true;
    lines = await deps.git.statusAgainst(rec.repo, rec.path, rec.branch);
  }
  const c = classifyRisk(lines, disposable);
  p.atRisk = c.atRisk;
  p.disposable = c.disposable;
  p.refused = p.atRisk.length > 0 || p.lostCommits > 0;
  return p;
}

export function dirtyError(previews: DestroyPreview[]): SandboxError {
  const lines = previews.flatMap((r) => [
    `  ${r.id} at ${r.path}:`,
    ...(r.atRisk.length ? [`    ${r.atRisk.length} file(s) would be deleted: ${describeRiskFiles(r.atRisk)}`] : []),
    ...(r.lostCommits ? [`    ${r.lostCommits} commit(s) on a detached HEAD (on no branch) would be lost`] : []),
  ]);
  return new SandboxError('DIRTY_WORK', `Refusing to destroy: work would be lost\n${lines.join('\n')}`, {
    hint: 'Commit or move them (caches and dependency folders are not counted: manifest destroy.disposable), or pass --force to destroy anyway. Nothing was touched.',
    details: previews,
  });
}

function keptCommitsLabel(p: DestroyPreview): string | null {
  const k = p.keptCommits;
  return k ? `${k.count} commit(s) on branch ${k.branch} are kept (not in ${k.against}): the branch stays` : null;
}

/** Mark, remove, forget. `preview` is what the caller checked (null: forced without a check). */
export async function destroyResolved(
  deps: Deps,
  rec: InstanceRecord,
  opts: DestroyOptions,
  emit: EventSink,
  preview: DestroyPreview | null,
): Promise<DestroyResult> {
  const id = rec.id;
  const origin = originOf(rec);
  emit({ type: 'step', instance: id, id: 'target', label: `Destroying "${id}" (slot ${rec.slot}) at ${rec.path}`, state: 'info' });

  // 1. The intent: the first write. A registry we cannot write fails here, before anything is removed.
  await deps.registry.update((reg) => {
    const cur = reg.instances[id];
    if (!cur || cur.path !== rec.path) {
      throw new SandboxError('NOT_FOUND', `"${id}" is no longer registered at ${rec.path}`, {
        hint: 'Another command changed it; run `ktrdr-sandbox list`.',
      });
    }
    cur.state = 'destroying';
    cur.pid = deps.env.pid;
    cur.host = deps.env.hostname();
    if (opts.force) cur.force = true;
    else delete cur.force;
  });

  // 2. Docker state.
  const dirExists = deps.files.exists(rec.path);
  await step(emit, id, 'containers', 'Containers, volumes and networks removed', async () => {
    const before = await deps.engine.projectResources(id);
    const anything = before.containers.length + before.volumes.length + before.networks.length > 0;
    if (dirExists && anything) {
      try {
        const ctx = await loadInstance(deps, rec);
        const target = await secretTarget(deps, ctx);
        await releaseSharedLinks(deps, ctx); // isolation's connections (a shared collector) first
        await deps.compose.down(target, { volumes: true });
      } catch (err) {
        emit({
          type: 'step',
          instance: id,
          id: 'compose-down',
          label: `compose down failed, removing by label: ${(err as Error).message.split('\n')[0]}`,
          state: 'warning',
        });
      }
    }
    // the fallback removes only what is provably ours: labelled with this instance and this registry's identity
    const scope = { owner: ownerId(deps) };
    const left = await deps.engine.projectResources(id, scope);
    if (left.containers.length || left.volumes.length || left.networks.length) await deps.engine.removeProjectResources(id, scope);
    const still = await deps.engine.projectResources(id, scope);
    if (still.containers.length || still.volumes.length || still.networks.length) {
      throw new SandboxError('STATE', `Could not remove everything of project "${id}": ${JSON.stringify(still)}`);
    }
    const unlabelled = await deps.engine.projectResources(id);
    const count = unlabelled.containers.length + unlabelled.volumes.length + unlabelled.networks.length;
    if (count) {
      const names = [...unlabelled.containers.map((c) => c.slice(0, 12)), ...unlabelled.networks, ...unlabelled.volumes].join(', ');
      emit({
        type: 'step',
        instance: id,
        id: 'unlabelled',
        label: `${count} object(s) of compose project "${id}" without our labels left alone (not provably ours): ${names}`,
        state: 'warning',
      });
    }
  });

  // 3. The directory: deleted only when `create` made it; a checkout registered with init is only unregistered.
  let worktreeRemoved = false;
  let keptDirectory = dirExists;
  const deletes = dirExists && rec.kind === 'worktree' && origin === 'created' && !opts.keepWorktree;
  if (deletes) {
    await step(emit, id, 'worktree', `Worktree removed through git: ${rec.path}`, async () => {
      if (worktreeLinkOk(deps.files, rec.path)) {
        await deps.git.worktreeRemove(rec.repo, rec.path, { force: true }).catch(() => undefined);
      }
      // metadata gone (or git gave up half-way): what `git worktree remove` does — delete the directory, prune
      await deps.files.remove(rec.path);
      await deps.git.worktreePrune(rec.repo).catch(() => undefined);
    });
    worktreeRemoved = true;
    keptDirectory = false;
  } else {
    if (dirExists) await deps.files.remove(envFilePath(rec.path));
    if (dirExists) {
      const why =
        origin === 'init' ? ` (registered with init: ${rec.kind === 'clone' ? 'a clone' : 'your worktree'} is never deleted)` : '';
      emit({ type: 'step', instance: id, id: 'kept', label: `Directory kept: ${rec.path}${why}`, state: 'info' });
    } else if (rec.kind === 'worktree') {
      await deps.git.worktreePrune(rec.repo).catch(() => undefined);
    }
  }
  const kept = preview ? keptCommitsLabel(preview) : null;
  if (kept) emit({ type: 'step', instance: id, id: 'commits-kept', label: kept, state: 'info' });

  // 4. Per-instance files, then forget the entry (last: a crash before it is finished by the next command).
  await Promise.all([deps.gates.remove(id), deps.secrets.remove(id)]);
  await removeOverrideState(deps.files, deps.home, id);
  await deps.registry.update((reg) => {
    if (reg.instances[id]?.path === rec.path) delete reg.instances[id];
  });
  emit({ type: 'step', instance: id, id: 'released', label: `Slot ${rec.slot} released`, state: 'passed' });
  const result: DestroyResult = {
    id,
    path: rec.path,
    worktreeRemoved,
    keptDirectory,
    branchKept: rec.kind === 'worktree' ? rec.branch : null,
  };
  if (preview?.keptCommits) result.keptCommits = preview.keptCommits.count;
  return result;
}
