// down: stop and remove the instance's containers (and with volumes: its named volumes).
import type { Deps } from '../deps';
import { noEvents, step, type EventSink } from '../events';
import { loadInstance, secretTarget, requireDir, resolveInstance, type InstanceRef } from '../resolve';
import { releaseSharedLinks } from './isolation-links';

export async function downInstance(
  deps: Deps,
  ref: InstanceRef,
  opts: { volumes?: boolean } = {},
  emit: EventSink = noEvents,
): Promise<{ id: string; volumes: boolean }> {
  const rec = await resolveInstance(deps, ref);
  requireDir(rec, deps.files);
  const ctx = await loadInstance(deps, rec);
  await step(emit, rec.id, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  await step(emit, rec.id, 'compose-down', `compose down${opts.volumes ? ' -v' : ''} (project ${rec.id})`, async () => {
    const target = await secretTarget(deps, ctx);
    await releaseSharedLinks(deps, ctx);
    await deps.compose.down(target, { volumes: !!opts.volumes });
  });
  return { id: rec.id, volumes: !!opts.volumes };
}
