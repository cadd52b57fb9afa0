// slots · slot move · slot unblock
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { probeSlotPorts } from '../conflicts';
import { instanceVariables } from '../envfile';
import { loadManifest } from '../manifest';
import { ktrdrPreset } from '../preset';
import { assertSlot, slotPorts, type SlotPort } from '../ports';
import { assertSlotAvailable, holderOfSlot, isBlacklisted } from '../registry';
import { ensureEnvFile, loadInstance, requireDir, resolveInstance, secretTarget, type InstanceRef } from '../resolve';
import { releaseSharedLinks } from './isolation-links';
import { portConflictError } from '../slots';
import { MAX_SLOT, MIN_SLOT } from '../../shared/types';
import { upInstance, type UpResult } from './up';

export interface SlotRow {
  slot: number;
  /** held: a container of another compose project publishes one of its ports right now (re-checked each time). */
  state: 'free' | 'taken' | 'blacklisted' | 'held';
  holder: string | null;
  holderPath: string | null;
  reason: string | null;
  ports: SlotPort[];
}

export async function listSlots(deps: Deps, repoDir?: string): Promise<SlotRow[]> {
  const reg = await deps.registry.read();
  const manifest = repoDir ? (await loadManifest(repoDir, { platform: deps.env.platform }, deps.files)).manifest : ktrdrPreset;
  const rows: SlotRow[] = [];
  const running = await Promise.resolve()
    .then(() => deps.engine.listContainers({ all: false }))
    .catch(() => []); // no engine: nothing is known to be held
  const foreign = new Map<number, string>();
  for (const c of running) {
    if (c.state !== 'running' || reg.instances[c.project]) continue;
    for (const p of c.ports)
      foreign.set(
        p.hostPort,
        `port ${p.hostPort} is published by container ${c.name} of compose project "${c.project}" (re-checked each time)`,
      );
  }
  for (let s = MIN_SLOT; s <= MAX_SLOT; s++) {
    const h = holderOfSlot(reg, s);
    const bl = isBlacklisted(reg, s);
    const ports = slotPorts(manifest, s);
    const held = !h && !bl ? ports.map((p) => foreign.get(p.port)).find((x) => x !== undefined) : undefined;
    rows.push({
      slot: s,
      state: h ? 'taken' : bl ? 'blacklisted' : held ? 'held' : 'free',
      holder: h?.id ?? null,
      holderPath: h?.path ?? null,
      reason: bl?.reason ?? held ?? null,
      ports,
    });
  }
  return rows;
}

/** Re-probe a blacklisted slot; clear it when its ports are free again. */
export async function unblockSlot(deps: Deps, slot: number, repoDir?: string): Promise<{ slot: number; cleared: boolean }> {
  assertSlot(slot);
  const manifest = repoDir ? (await loadManifest(repoDir, { platform: deps.env.platform }, deps.files)).manifest : ktrdrPreset;
  const reg = await deps.registry.read();
  if (!isBlacklisted(reg, slot)) return { slot, cleared: false };
  await deps.engine.ping();
  const running = await deps.engine.listContainers({ all: false });
  const holder = holderOfSlot(reg, slot);
  const conflicts = await probeSlotPorts({
    ports: slotPorts(manifest, slot),
    selfProject: holder?.id ?? null,
    running,
    registry: reg,
    probe: deps.ports,
  });
  if (conflicts.length) throw portConflictError(slot, conflicts, reg);
  await deps.registry.update((r) => void delete r.blacklist[String(slot)]);
  return { slot, cleared: true };
}

/** Move an instance to another free slot: stop, rewrite registry + .env.sandbox, start again if it was running. */
export async function moveSlot(
  deps: Deps,
  ref: InstanceRef,
  to: number,
  emit: EventSink = noEvents,
): Promise<{ id: string; from: number; to: number; restarted: UpResult | null }> {
  assertSlot(to);
  const rec = await resolveInstance(deps, ref);
  requireDir(rec, deps.files);
  const from = rec.slot;
  if (from === to) throw new SandboxError('USAGE', `"${rec.id}" is already on slot ${to}`);
  const ctx = await loadInstance(deps, rec);
  await deps.engine.ping();
  const reg = await deps.registry.read();
  assertSlotAvailable(reg, to, rec.id);
  const running = await deps.engine.listContainers({ all: false });
  const conflicts = await probeSlotPorts({
    ports: slotPorts(ctx.manifest, to),
    selfProject: rec.id,
    running,
    registry: reg,
    probe: deps.ports,
  });
  if (conflicts.length) throw portConflictError(to, conflicts, reg);
  const wasRunning = running.some((c) => c.project === rec.id);
  if (wasRunning) {
    await step(emit, rec.id, 'stop', `Stopped "${rec.id}" (volumes kept)`, async () => {
      const target = await secretTarget(deps, ctx);
      await releaseSharedLinks(deps, ctx); // isolation's connections first
      await deps.compose.down(target, { volumes: false });
    });
  }
  const moved = await deps.registry.update((r) => {
    const cur = r.instances[rec.id];
    if (!cur) throw new SandboxError('NOT_FOUND', `"${rec.id}" disappeared from the registry`);
    assertSlotAvailable(r, to, rec.id);
    cur.slot = to;
    return { ...cur };
  });
  await ensureEnvFile(
    deps.files,
    { rec: moved, manifest: ctx.manifest, vars: instanceVariables(moved, ctx.manifest, deps.sharedHome) },
    emit,
  );
  emit({ type: 'step', instance: rec.id, id: 'moved', label: `Moved "${rec.id}" from slot ${from} to slot ${to}`, state: 'passed' });
  const restarted = wasRunning ? await upInstance(deps, { id: rec.id }, {}, emit) : null;
  return { id: rec.id, from, to, restarted };
}
