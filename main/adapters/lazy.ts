// Adapters whose module is loaded on first use. Every adapter method is async, so a call can wait for the
// module: `env` then never loads dockerode, `list` never loads execa, and so on. Loading everything up front
// cost ~200 ms of every CLI command.
//
// No Proxy: the object has exactly the methods listed (the list is checked against the interface: a method
// missing from it, or one the interface lacks, is a type error), each awaiting one memoised import().

/** load() once: every later call gets the same promise (a failed load stays failed, like a failed import). */
export function memoise<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= load());
}

type AsyncMethods<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => Promise<unknown> ? true : never };

/**
 * An adapter whose methods wait for `load` (called on the first method call, once). `methods` names every
 * method of T, e.g. `{ ping: true, logs: true, … }`.
 */
export function lazyAdapter<T extends object>(load: () => Promise<T>, methods: AsyncMethods<T>): T {
  const real = memoise(load);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(methods)) {
    out[key] = (...args: unknown[]) => real().then((adapter) => (adapter as Record<string, (...a: unknown[]) => unknown>)[key]!(...args));
  }
  return out as T;
}
