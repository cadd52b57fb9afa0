// create NAME: a git worktree at ../<repo>--NAME, a slot, .env.sandbox and a registry entry — all or nothing.
import { basename, dirname, join } from 'node:path';
import type { Deps } from '../deps';
import { instanceVariables } from '../envfile';
import { canonical, ensureEnvFile, excludeEnvFile } from '../resolve';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { instanceIdForNewDir, validateInstanceName, worktreeDirName } from '../identity';
import { parseSlot, validateBranchName } from '../validate';
import { loadManifest } from '../manifest';
import { readComposeModel } from '../compose-model';
import { allocateSlot, allocationError, type Allocation } from '../slots';
import type { InstanceEngine, InstanceRecord } from '../../shared/types';
import { describeInstance, type InstanceDetails } from './describe';
import { mappedEngine } from './placement';
import { repairInterrupted, stagingPath } from '../recovery';
import { overlayChoiceFor, refuseRemoteChoice, type OverlayRequest } from './shared-overlay-choice';

export interface CreateOptions {
  name: string;
  branch?: string;
  /** Create `branch` (from HEAD) instead of checking out an existing one. */
  newBranch?: boolean;
  slot?: number;
  /** The repository to branch from (default: the repository holding cwd). */
  from?: string;
  cwd: string;
  /** The engine it runs on (checked by placement.ts chooseEngine); absent: the current engine. */
  engine?: InstanceEngine;
  /** Its own shared data overlay (`--shared-overlay [FOLDER…]` / `--no-shared-overlay`); absent: the manifest decides. */
  sharedOverlay?: OverlayRequest;
}

export async function createInstance(deps: Deps, opts: CreateOptions, emit: EventSink = noEvents): Promise<InstanceDetails> {
  // Validate first.
  const name = validateInstanceName(opts.name);
  if (opts.branch !== undefined) validateBranchName(opts.branch);
  if (opts.slot !== undefined) parseSlot(opts.slot);
  const start = canonical(opts.from ?? opts.cwd, deps.files);
  const top = await deps.git.topLevel(start);
  if (!top) {
    throw new SandboxError('USAGE', `${start} is not inside a git repository`, {
      hint: 'Run create from your project checkout, or pass --from DIR.',
    });
  }
  const repo = await deps.git.mainRepo(top);
  const path = join(dirname(repo), worktreeDirName(basename(repo), name));
  const id = instanceIdForNewDir(path);
  const engine = opts.engine?.source?.mode === 'path-map' ? mappedEngine(opts.engine, path, id) : opts.engine; // NFS: under a LOCAL
  const { manifest } = await loadManifest(repo, { platform: deps.env.platform }, deps.files);
  const sharedOverlay = opts.sharedOverlay && overlayChoiceFor(manifest, opts.sharedOverlay, '--shared-overlay');
  refuseRemoteChoice(id, engine, sharedOverlay);
  await readComposeModel(repo, manifest.compose.files, undefined, deps.files);
  const branch = opts.branch ?? name;
  const branchExists = await deps.git.branchExists(repo, branch);
  requireBranchState(branch, branchExists, opts, repo);
  await step(emit, id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  await repairInterrupted(deps, emit); // e.g. a killed create of this very name is rolled back first
  if (deps.files.exists(path)) {
    throw new SandboxError('STATE', `${path} already exists`, { hint: 'Choose another name, or `ktrdr-sandbox init` inside it.' });
  }
  const running = await deps.engine.listContainers({ all: false });

  // Act, in an order where every crash point leaves a state the next command repairs (main/core/recovery.ts):
  // 1. an intent record (`state: creating`, our pid) reserves the id and the slot — the first write, so an
  //    unwritable registry fails before anything exists on disk;
  // 2. git checks the worktree out in a private staging folder (a crash there: the folder is deleted whole);
  // 3. `git worktree move` puts the finished checkout in place (one rename);
  // 4. the entry is settled. Any failure rolls back here and now.
  const rec: InstanceRecord = {
    id,
    path,
    slot: -1,
    kind: 'worktree',
    repo,
    branch,
    createdAt: new Date(deps.clock.now()).toISOString(),
    origin: 'created',
    engine: engine ?? { context: null },
    ...(sharedOverlay === undefined ? {} : { sharedOverlay }),
  };
  const staging = stagingPath(path);
  const alloc: Allocation = await deps.registry.update(async (reg) => {
    if (reg.instances[id]) {
      throw new SandboxError('STATE', `An instance "${id}" is already registered at ${reg.instances[id]!.path}`);
    }
    if (deps.files.exists(path))
      throw new SandboxError('STATE', `${path} already exists`, { hint: 'Choose another name, or `ktrdr-sandbox init` inside it.' });
    const a = await allocateSlot({ deps, reg, manifest, id, requested: opts.slot, running });
    if (a.kind !== 'ok') return a;
    rec.slot = a.slot;
    reg.instances[id] = { ...rec, state: 'creating', pid: deps.env.pid, host: deps.env.hostname() };
    return a;
  });
  if (alloc.kind !== 'ok') throw allocationError(alloc, await deps.registry.read());
  emit({ type: 'step', instance: id, id: 'slot', label: `Slot ${rec.slot} reserved`, state: 'passed' });

  let moved = false;
  try {
    await deps.files.remove(staging); // ours: an earlier crash's leftover
    await step(emit, id, 'worktree', `Worktree ${path} (${branchExists ? 'branch' : 'new branch'} ${branch})`, async () => {
      await deps.git.worktreeAdd(repo, staging, { branch, newBranch: !branchExists });
      await ensureEnvFile(deps.files, {
        rec: { ...rec, path: staging },
        manifest,
        vars: instanceVariables(rec, manifest, deps.sharedHome),
      });
      await excludeEnvFile(deps.files, join(repo, '.git')).catch(() => undefined);
      await deps.git.worktreeMove(repo, staging, path);
      moved = true;
    });
    await deps.files.removeEmptyDir(dirname(staging)); // the staging folder of this name, now empty
    await deps.registry.update((reg) => {
      const cur = reg.instances[id];
      if (cur?.path !== path) throw new SandboxError('STATE', `The registry entry of "${id}" vanished while it was created`);
      delete cur.state;
      delete cur.pid;
      delete cur.host;
    });
  } catch (err) {
    await rollback(deps, rec, staging, moved);
    throw err instanceof SandboxError
      ? err
      : new SandboxError('GIT_FAILED', `Could not create the worktree: ${(err as Error).message}`, { cause: err });
  }
  return describeInstance(deps, rec);
}

async function rollback(deps: Deps, rec: InstanceRecord, staging: string, moved: boolean): Promise<void> {
  // The staging folder is private; the final path is ours only once our move succeeded (before it, a directory
  // there was made by someone else — and made the move fail).
  for (const dir of moved ? [staging, rec.path] : [staging]) {
    if (!deps.files.exists(dir)) continue;
    await deps.git.worktreeRemove(rec.repo, dir, { force: true }).catch(() => undefined);
    await deps.files.remove(dir);
  }
  await deps.files.removeEmptyDir(dirname(staging));
  await deps.git.worktreePrune(rec.repo).catch(() => undefined);
  await deps.registry
    .update((reg) => {
      if (reg.instances[rec.id]?.path === rec.path) delete reg.instances[rec.id];
    })
    .catch(() => undefined);
}

/** --branch B names an existing branch unless --new-branch; --new-branch never takes over an existing one. */
function requireBranchState(branch: string, exists: boolean, opts: CreateOptions, repo: string): void {
  if (opts.newBranch && exists) {
    throw new SandboxError('USAGE', `Branch "${branch}" already exists in ${repo}`, {
      hint: 'Drop --new-branch to check it out, or choose another branch name.',
    });
  }
  if (opts.branch !== undefined && !opts.newBranch && !exists) {
    throw new SandboxError('USAGE', `Branch "${branch}" does not exist in ${repo}`, {
      hint: 'Pass --new-branch to create it from HEAD (`git branch --list` shows the existing ones).',
    });
  }
}
