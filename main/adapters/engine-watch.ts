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
      return err instanceof EngineUnavailableError || (err as { code?: string })?.code === 'ENGINE_UNAVAILABLE' ? (err as EngineUnavailableError) : null;
    }
  }

  function guarded<T>(run: () => Promise<T>): Promise<T> {
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
          if (gone) done(() => reject(gone));
          else timer = setTimeout(tick, everyMs);
        });
      };
      timer = setTimeout(tick, everyMs);
      run().then(
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
    up: (t, o) => guarded(() => compose.up(t, o)),
    down: (t, o) => guarded(() => compose.down(t, o)),
    stop: (t) => guarded(() => compose.stop(t)),
    run: (t, service, cmd, o) => guarded(() => compose.run(t, service, cmd, o)),
  };
}
