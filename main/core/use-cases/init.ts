// init: register the current clone or worktree as an instance (detecting which), with a slot and .env.sandbox.
import { join } from 'node:path';
import type { Deps } from '../deps';
import { instanceVariables } from '../envfile';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { instanceIdFromPath, isValidInstanceId } from '../identity';
import { loadManifest } from '../manifest';
import { readComposeModel } from '../compose-model';
import { canonical, ensureEnvFile, excludeEnvFile } from '../resolve';
import { allocateSlot, allocationError, type Allocation } from '../slots';
import type { InstanceRecord } from '../../shared/types';
import { describeInstance, type InstanceDetails } from './describe';
import { repairInterrupted } from '../recovery';

export interface InitOptions {
  cwd: string;
  slot?: number;
  name?: string;
}

export async function initInstance(deps: Deps, opts: InitOptions, emit: EventSink = noEvents): Promise<InstanceDetails> {
  const cwd = canonical(opts.cwd, deps.files);
  const top = await deps.git.topLevel(cwd);
  if (!top) throw new SandboxError('USAGE', `${cwd} is not inside a git repository`, { hint: 'Run init inside your clone or worktree.' });
  const path = canonical(top, deps.files);
  const id = opts.name ?? instanceIdFromPath(path);
  if (!isValidInstanceId(id)) {
    throw new SandboxError('USAGE', `Invalid instance id "${id}"`, {
      hint: 'Use lowercase letters, digits, "-" and "_", starting with a letter or digit.',
    });
  }
  const linked = await deps.git.isLinkedWorktree(path);
  const repo = linked ? await deps.git.mainRepo(path) : path;
  const { manifest } = await loadManifest(path, { platform: deps.env.platform }, deps.files);
  await readComposeModel(path, manifest.compose.files, undefined, deps.files);
  await step(emit, id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  await repairInterrupted(deps, emit);
  const running = await deps.engine.listContainers({ all: false });
  const rec: InstanceRecord = {
    id,
    path,
    slot: -1,
    kind: linked ? 'worktree' : 'clone',
    repo,
    branch: await deps.git.currentBranch(path),
    createdAt: new Date(deps.clock.now()).toISOString(),
    // the user's own checkout: destroy never deletes it, only unregisters it
    origin: 'init',
  };
  const alloc: Allocation = await deps.registry.update(async (reg) => {
    const atPath = Object.values(reg.instances).find((i) => i.path === path);
    if (atPath) {
      throw new SandboxError('STATE', `${path} is already registered as "${atPath.id}" (slot ${atPath.slot})`, {
        hint: 'Start it with `ktrdr-sandbox up`; `.env.sandbox` is rewritten from the registry when missing.',
      });
    }
    if (reg.instances[id]) {
      throw new SandboxError('STATE', `The id "${id}" is already used by ${reg.instances[id]!.path}`, { hint: 'Pass --name ID.' });
    }
    const a = await allocateSlot({ deps, reg, manifest, id, requested: opts.slot, running });
    if (a.kind !== 'ok') return a;
    rec.slot = a.slot;
    reg.instances[id] = rec;
    return a;
  });
  if (alloc.kind !== 'ok') throw allocationError(alloc, await deps.registry.read());
  try {
    await ensureEnvFile(deps.files, { rec, manifest, vars: instanceVariables(rec, manifest, deps.sharedHome) });
    await excludeEnvFile(deps.files, join(repo, '.git')).catch(() => undefined);
  } catch (err) {
    await deps.registry.update((reg) => void delete reg.instances[id]).catch(() => undefined);
    throw err;
  }
  emit({ type: 'step', instance: id, id: 'registered', label: `Registered ${rec.kind} as "${id}" on slot ${rec.slot}`, state: 'passed' });
  return describeInstance(deps, rec);
}
