// One operation per instance at a time. Every state-changing operation on an instance (up, down, destroy,
// gate, slot move, restart, …) runs through exclusive(): the CLI commands and the dashboard/IPC handlers both
// call it, so two callers never run compose against one project at once (two concurrent `up`s used to leave
// two `<id>_default` networks). A second caller waits, saying for whom, or fails at once with wait: false.
import type { Deps, LockHolder } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, type EventSink } from '../events';
import { instances } from '../registry';
import { resolveInstance, type InstanceRef } from '../resolve';

export interface LockOptions {
  /** false: fail at once (INSTANCE_BUSY) instead of waiting for the other operation. Default true. */
  wait?: boolean;
}

/** How often a waiting caller looks at the lock again. */
export const LOCK_POLL_MS = 100;

function busyError(id: string, h: LockHolder): SandboxError {
  return new SandboxError('INSTANCE_BUSY', `"${id}" is busy: \`${h.op}\` by pid ${h.pid} (since ${h.since})`, {
    hint: 'Wait for it to finish, or run the command again without --no-wait to wait for it.',
    details: { instance: id, holder: h },
  });
}

/**
 * The operation that held the lock died (kill -9, a crashed tray app): a compose it started may still be changing
 * the project, and would race this one (two networks, a port held by a container being started). It is ended
 * first, and said so.
 */
async function endLeftovers(deps: Deps, id: string, dead: LockHolder, emit: EventSink): Promise<void> {
  const ended = await deps.compose.endLeftovers(id).catch(() => [] as number[]);
  if (!ended.length) return;
  emit({
    type: 'step',
    instance: id,
    id: 'leftovers',
    label: `Stopped compose (pid ${ended.join(', ')}) left running by \`${dead.op}\` (pid ${dead.pid}), which ended without finishing`,
    state: 'info',
  });
}

/** Run fn holding the lock of instance `id`. */
export async function withInstanceLock<T>(
  deps: Deps,
  id: string,
  op: string,
  opts: LockOptions,
  emit: EventSink,
  fn: () => Promise<T>,
): Promise<T> {
  const locks = deps.locks;
  let announced: string | undefined;
  for (;;) {
    const r = await locks.tryAcquire(id, op);
    if ('release' in r) {
      if (announced) emit({ type: 'step', instance: id, id: 'lock', label: `${id} is free: running \`${op}\``, state: 'info' });
      try {
        if (r.abandoned) await endLeftovers(deps, id, r.abandoned, emit);
        return await fn();
      } finally {
        await r.release().catch(() => undefined);
      }
    }
    if (opts.wait === false) throw busyError(id, r.holder);
    const who = `${r.holder.op}:${r.holder.pid}`;
    if (announced !== who) {
      announced = who;
      emit({
        type: 'step',
        instance: id,
        id: 'lock',
        label: `waiting for \`${r.holder.op}\` of ${id} by pid ${r.holder.pid}…`,
        state: 'info',
      });
    }
    await deps.clock.sleep(LOCK_POLL_MS);
  }
}

/** Resolve ref (id, or the instance holding a directory), then run fn(ref) holding that instance's lock. */
export async function exclusive<T>(
  deps: Deps,
  ref: InstanceRef,
  op: string,
  opts: LockOptions,
  emit: EventSink,
  fn: (ref: InstanceRef) => Promise<T>,
): Promise<T> {
  const rec = await resolveInstance(deps, ref);
  return withInstanceLock(deps, rec.id, op, opts, emit, () => fn(ref));
}

/** Hold the locks of every registered instance (in id order, so two such callers cannot deadlock), then fn. */
export async function exclusiveAll<T>(
  deps: Deps,
  op: string,
  opts: LockOptions,
  emit: EventSink = noEvents,
  fn: () => Promise<T>,
): Promise<T> {
  const ids = instances(await deps.registry.read())
    .map((i) => i.id)
    .sort();
  const hold = (i: number): Promise<T> => (i === ids.length ? fn() : withInstanceLock(deps, ids[i]!, op, opts, emit, () => hold(i + 1)));
  return hold(0);
}
