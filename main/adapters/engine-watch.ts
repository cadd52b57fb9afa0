// Compose talks to the engine on its own; when the engine hangs or goes away under it, compose either hangs
// (v1 waits 60 s per request) or fails with a long dump. This decorator pings the engine while a compose
// command runs (every WATCH_EVERY_MS) and once more when it fails: an engine that no longer answers turns the
// outcome into ONE EngineUnavailableError (exit 4) at once, instead of a compose dump or a wait.
import type { Compose, ComposeTarget, Engine } from '../core/deps';
import { EngineUnavailableError } from '../core/deps';

export const WATCH_EVERY_MS = 2_000;

export function watchCompose(compose: Compose, engine: Pick<Engine, 'ping'>, everyMs = WATCH_EVERY_MS): Compose {
  async function engineGone(): Promise<EngineUnavailableError | null> {
    try {
      await engine.ping();
      return null;
    } catch (err) {
      return err instanceof EngineUnavailableError || (err as { code?: string })?.code === 'ENGINE_UNAVAILABLE'
        ? (err as EngineUnavailableError)
        : null;
    }
  }

  /** run(signal): the compose command, stopped through signal when the engine is found gone meanwhile. */
  function guarded<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const tick = () => {
        void engineGone().then((gone) => {
          if (settled) return;
          if (gone) {
            done(() => reject(gone));
            ac.abort(); // compose would otherwise keep waiting on the engine (v1: 60 s per request)
          } else timer = setTimeout(tick, everyMs);
        });
      };
      timer = setTimeout(tick, everyMs);
      run(ac.signal).then(
        (v) => done(() => resolve(v)),
        (err: unknown) => {
          clearTimeout(timer);
          void engineGone().then((gone) => done(() => reject(gone ?? err)));
        },
      );
    });
  }

  return {
    info: () => compose.info(),
    config: (t: ComposeTarget) => compose.config(t),
    up: (t, o) => guarded((signal) => compose.up({ ...t, signal }, o)),
    down: (t, o) => guarded((signal) => compose.down({ ...t, signal }, o)),
    stop: (t) => guarded((signal) => compose.stop({ ...t, signal })),
    run: (t, service, cmd, o) => guarded((signal) => compose.run({ ...t, signal }, service, cmd, o)),
    endLeftovers: (project) => compose.endLeftovers(project),
  };
}
