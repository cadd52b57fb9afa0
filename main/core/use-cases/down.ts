// down: stop and remove the instance's containers (and with volumes: its named volumes).
import type { Deps } from '../deps';
import { noEvents, step, type EventSink } from '../events';
import { onInstanceEngine } from '../instance-context';
import { slotPorts } from '../ports';
import { loadInstance, secretTarget, requireDir, type InstanceRef } from '../resolve';
import { releaseSharedLinks } from './isolation-links';
import { stopSourceWatch } from './sync';

export async function downInstance(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: { volumes?: boolean } = {},
  emit: EventSink = noEvents,
): Promise<{ id: string; volumes: boolean }> {
  const { rec, deps, on } = await onInstanceEngine(baseDeps, ref); // on its engine, wherever it runs
  requireDir(rec, deps.files);
  const ctx = await loadInstance(deps, rec);
  await step(emit, rec.id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  await step(emit, rec.id, 'compose-down', `compose down${opts.volumes ? ' -v' : ''} (project ${rec.id})`, async () => {
    const target = await secretTarget(deps, ctx);
    await releaseSharedLinks(deps, ctx);
    await deps.compose.down(target, { volumes: !!opts.volumes });
  });
  // a remote instance: its slot's ports stop being forwarded here
  await on.remote?.cancelPorts(slotPorts(ctx.manifest, rec.slot).map((p) => p.port));
  if (on.remote) await stopSourceWatch(baseDeps, rec.id); // and its source stops being synced
  return { id: rec.id, volumes: !!opts.volumes };
}
