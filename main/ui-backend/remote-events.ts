// The Docker event streams of the other engines instances run on (issue 13): one subscription per engine, through
// the same engine adapter `events` call as the default engine's, reached over the connection the remotes port
// keeps to it (for an ssh engine: the Docker socket its ControlMaster forwards). A stream that drops (the engine
// stopped, the ssh connection lost) is subscribed again with exponential backoff — connecting the engine again
// first, which brings the ssh connection back. While any stream is down the state service falls back to polling
// those engines (state-service.ts); `allUp()` tells it when it can stop.
import type { EngineEvent } from '../core/deps';
import type { InstanceEngine } from '../core/remotes';
import type { InstanceRecord } from '../shared/types';

export interface RemoteStreamsOptions {
  /** The engine a record runs on, connected (deps.remotes.connect); undefined: no remotes port (never up). */
  connect?: (rec: InstanceRecord) => Promise<InstanceEngine>;
  onEvent(e: EngineEvent): void;
  /** A stream came up (events may have been missed meanwhile) or went down (poll until it is back). */
  onChange(): void;
  /** Reconnect backoff (default 500 ms doubling to 10 s). */
  backoffMs?: { initial: number; max: number };
  /** Records subscriptions, losses and reconnects (the surfaces' rotating log). */
  log?: { info(message: string): void };
}

export interface RemoteStreams {
  /** Follow the engines these records run on (records on the current engine are left to its own stream). */
  follow(recs: InstanceRecord[]): void;
  /** Whether every followed engine's stream is up (true when none is followed). */
  allUp(): boolean;
  /** The engines followed, and whether each one's stream is up. */
  states(): Record<string, boolean>;
  stop(): void;
}

interface Stream {
  rec: InstanceRecord;
  up: boolean;
  /** Set once a stream of it was up: a later subscription is a reconnect. */
  wasUp: boolean;
  connecting: boolean;
  unsubscribe: (() => void) | null;
  timer: NodeJS.Timeout | null;
  nextBackoff: number;
  /** When it was dropped (the stop of following it, or of the service). */
  dropped: boolean;
  /** Whether the loss was logged already (one line per loss, not per failed retry). */
  lossLogged: boolean;
}

const firstLine = (err: unknown) => ((err as Error)?.message ?? String(err)).split('\n')[0] ?? '';

export function createRemoteStreams(opts: RemoteStreamsOptions): RemoteStreams {
  const backoff = opts.backoffMs ?? { initial: 500, max: 10_000 };
  const streams = new Map<string, Stream>();
  let stopped = false;

  function lost(name: string, s: Stream, err: unknown): void {
    const wasUp = s.up;
    s.up = false;
    s.unsubscribe?.();
    s.unsubscribe = null;
    if (s.dropped || stopped) return;
    const delay = s.nextBackoff;
    s.nextBackoff = Math.min(s.nextBackoff * 2, backoff.max);
    if (!s.lossLogged) {
      s.lossLogged = true;
      opts.log?.info(`engine ${name}: event stream ${wasUp ? 'lost' : 'unavailable'}, retrying in ${delay}ms: ${firstLine(err)}`);
    }
    s.timer ??= setTimeout(() => {
      s.timer = null;
      void subscribe(name, s);
    }, delay);
    s.timer.unref?.();
    if (wasUp) opts.onChange();
  }

  async function subscribe(name: string, s: Stream): Promise<void> {
    if (s.dropped || stopped || s.connecting || s.up) return;
    s.connecting = true;
    try {
      if (!opts.connect) throw new Error('no remotes port');
      const on = await opts.connect(s.rec); // an ssh engine: the connection (and its Docker socket) comes back here
      if (!on.side) {
        // the current engine after all: its events come through the default stream
        s.connecting = false;
        s.up = true;
        return;
      }
      let unsubscribe: (() => void) | null = null;
      unsubscribe = await on.side.engine.events(opts.onEvent, (err) => {
        if (s.unsubscribe === unsubscribe) lost(name, s, err);
      });
      s.connecting = false;
      if (s.dropped || stopped) return void unsubscribe();
      s.unsubscribe = unsubscribe;
      s.up = true;
      s.nextBackoff = backoff.initial;
      s.lossLogged = false;
      opts.log?.info(`engine ${name}: event stream ${s.wasUp ? 'reconnected' : 'followed'}`);
      s.wasUp = true;
      opts.onChange();
    } catch (err) {
      s.connecting = false;
      lost(name, s, err);
    }
  }

  function drop(name: string, s: Stream): void {
    s.dropped = true;
    s.up = false;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.unsubscribe?.();
    s.unsubscribe = null;
    streams.delete(name);
  }

  return {
    follow(recs) {
      if (stopped) return;
      const wanted = new Map<string, InstanceRecord>();
      for (const r of recs) {
        const context = r.engine?.context;
        if (context && !wanted.has(context)) wanted.set(context, r);
      }
      for (const [name, s] of [...streams]) if (!wanted.has(name)) drop(name, s);
      for (const [name, rec] of wanted) {
        const cur = streams.get(name);
        if (cur) {
          cur.rec = rec;
          continue;
        }
        const s: Stream = {
          rec,
          up: false,
          wasUp: false,
          connecting: false,
          unsubscribe: null,
          timer: null,
          nextBackoff: backoff.initial,
          dropped: false,
          lossLogged: false,
        };
        streams.set(name, s);
        void subscribe(name, s);
      }
    },
    allUp: () => [...streams.values()].every((s) => s.up),
    states: () => Object.fromEntries([...streams].map(([name, s]) => [name, s.up])),
    stop() {
      stopped = true;
      for (const [name, s] of [...streams]) drop(name, s);
    },
  };
}
