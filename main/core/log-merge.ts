// Followed logs of several containers, printed in time order: each container's stream is ordered, but the
// streams interleave as they arrive (a whole tail of one service, then the next). Lines wait `delayMs` in a
// buffer and leave it oldest timestamp first, so whatever arrives within that window is merged by time.
// Timers are injected (unit-tested with fakes).

export interface Timed {
  time: string | null;
}

export interface MergerTimers {
  now(): number;
  every(ms: number, fn: () => void): () => void;
}

export function createTimeMerger<T extends Timed>(emit: (l: T) => void, delayMs: number, timers: MergerTimers) {
  const buf: Array<{ l: T; at: number; seq: number }> = [];
  let seq = 0;
  let stop: (() => void) | null = null;
  const key = (x: { l: T }) => x.l.time ?? '';
  const flush = (all: boolean) => {
    buf.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.seq - b.seq));
    const cutoff = timers.now() - delayMs;
    while (buf.length && (all || buf[0]!.at <= cutoff)) emit(buf.shift()!.l);
    if (!buf.length && stop) {
      stop();
      stop = null;
    }
  };
  return {
    push(l: T) {
      buf.push({ l, at: timers.now(), seq: seq++ });
      stop ??= timers.every(Math.max(10, Math.floor(delayMs / 3)), () => flush(false));
    },
    /** Emit everything still waiting (the stream ends). */
    close() {
      flush(true);
    },
  };
}

/** The prefix width of `service |`: the longest service name of the instance, fixed for the whole output. */
export function prefixWidth(services: string[]): number {
  return Math.max(0, ...services.map((s) => s.length));
}
