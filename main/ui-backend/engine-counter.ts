// Counting every Docker API request made through the engine, so benchmarks and tests can assert that nothing
// polls the engine while nothing changes. Idempotent: wrapping counted deps returns them unchanged.
import type { Deps, Engine } from '../core/deps';

const COUNTER = Symbol.for('ktrdr-sandbox.engine-counter');

export interface EngineCounter {
  /** Requests started so far (one per Engine method call; a log or event stream counts once). */
  count(): number;
  /** Per-method counts, for diagnostics. */
  byMethod(): Record<string, number>;
}

export type CountedDeps = Deps & { readonly [COUNTER]: EngineCounter };

export function isCounted(deps: Deps): deps is CountedDeps {
  return (deps as Partial<CountedDeps>)[COUNTER] !== undefined;
}

/** Deps whose engine counts its calls (the same object when already counted). */
export function countingDeps<D extends Deps>(deps: D): D & CountedDeps {
  if (isCounted(deps)) return deps as D & CountedDeps;
  const counts: Record<string, number> = {};
  let total = 0;
  const engine = deps.engine;
  const counted = new Proxy(engine, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        total++;
        counts[prop] = (counts[prop] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Engine;
  const counter: EngineCounter = { count: () => total, byMethod: () => ({ ...counts }) };
  // Keep every other property (including adapter extras such as `endpoint`) as it is.
  return Object.assign(Object.create(Object.getPrototypeOf(deps) as object) as D, deps, { engine: counted, [COUNTER]: counter }) as D &
    CountedDeps;
}

export function engineCounter(deps: Deps): EngineCounter | null {
  return isCounted(deps) ? deps[COUNTER] : null;
}
