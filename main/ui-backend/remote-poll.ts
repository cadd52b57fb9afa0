// The fallback for instances on other engines while one of their event streams (remote-events.ts) is down: those
// engines are listed again every intervalMs, and a change in what they answer is worth a refresh of the state
// service. Nothing is polled while every stream is up, or while every instance runs on the default engine.
import type { RemoteListing } from '../core/use-cases/list-engines';

export interface RemotePollOptions {
  intervalMs: number;
  /** What the other engines said at the last refresh (null: every instance runs on the default engine). */
  last(): RemoteListing | null;
  /** List them again (null when there is nothing to list any more). */
  list(): Promise<RemoteListing> | null;
  /** Whether every remote event stream is up (then nothing is polled). */
  streamsUp(): boolean;
  /** Their answer changed (or could not be compared): refresh. */
  onChange(): void;
}

export interface RemotePoll {
  /** Poll once more after intervalMs, unless a poll is pending or nothing needs polling. */
  schedule(): void;
  stop(): void;
}

/** What of a remote listing a refresh shows: a change of it is worth one. */
export function remoteKey(r: RemoteListing): string {
  const cs = r.containers.map((c) => `${c.id}:${c.state}:${c.health}`).sort();
  return JSON.stringify([cs, [...r.status].sort(([a], [b]) => (a < b ? -1 : 1))]);
}

export function createRemotePoll(o: RemotePollOptions): RemotePoll {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const poll: RemotePoll = {
    schedule() {
      if (stopped || timer || !o.last() || o.streamsUp()) return;
      timer = setTimeout(() => {
        timer = null;
        if (o.streamsUp()) return;
        const before = o.last();
        const listing = o.list();
        if (!listing || !before) return void o.onChange();
        void listing.then(
          (now) => (remoteKey(now) !== remoteKey(before) ? o.onChange() : poll.schedule()),
          () => o.onChange(),
        );
      }, o.intervalMs);
      timer.unref?.();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  return poll;
}
