// snapshot list · snapshot rm · snapshot default: the snapshots under the sandbox home, and the default
// snapshot of a repository (used by a plain `create`).
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { canonical } from '../resolve';
import { validateSnapshotName } from '../snapshot-plan';
import type { SnapshotSummary } from '../../shared/snapshot-types';
import { requireSnapshot, snapshotPorts } from './snapshot-common';

export async function listSnapshots(deps: Deps): Promise<SnapshotSummary[]> {
  const { store } = snapshotPorts(deps);
  const [all, defaults] = await Promise.all([store.list(), store.defaults()]);
  return all.map((s) => ({ ...s.meta, sizeOnDisk: s.sizeOnDisk, isDefault: defaults[s.meta.repo] === s.meta.name }));
}

export async function removeSnapshot(deps: Deps, name: string): Promise<{ name: string; freedBytes: number }> {
  const { store } = snapshotPorts(deps);
  return { name, freedBytes: await store.remove(validateSnapshotName(name)) };
}

/** The main repository holding dir. */
export async function repositoryOf(deps: Deps, dir: string): Promise<string> {
  const top = await deps.git.topLevel(canonical(dir, deps.files));
  if (!top)
    throw new SandboxError('USAGE', `${dir} is not inside a git repository`, {
      hint: 'Run it inside your checkout or an instance, or pass --repo DIR.',
    });
  return deps.git.mainRepo(top);
}

/** Set (name), clear (null) or read (undefined) the default snapshot of the repository holding dir. */
export async function defaultSnapshot(
  deps: Deps,
  dir: string,
  name: string | null | undefined,
): Promise<{ repo: string; snapshot: string | null }> {
  const { store } = snapshotPorts(deps);
  const repo = await repositoryOf(deps, dir);
  if (name === undefined) return { repo, snapshot: (await store.defaults())[repo] ?? null };
  if (name !== null) await requireSnapshot(store, name);
  await store.setDefault(repo, name);
  return { repo, snapshot: name };
}
