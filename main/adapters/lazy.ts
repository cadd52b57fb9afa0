// Adapters whose module is loaded on first use. Every adapter method is async, so a call can wait for the
// module: `env` then never loads dockerode, `list` never loads execa, and so on. Loading everything up front
// cost ~200 ms of every CLI command.
export function lazyAdapter<T extends object>(load: () => Promise<T>): T {
  let real: Promise<T> | undefined;
  const methods = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  return new Proxy({} as T, {
    get(_target, key) {
      // Not a thenable: `await deps.engine` must not call load().
      if (key === 'then' || typeof key === 'symbol') return undefined;
      let m = methods.get(key);
      if (!m) {
        m = (...args: unknown[]) =>
          (real ??= load()).then((adapter) => {
            const fn = (adapter as Record<PropertyKey, unknown>)[key];
            if (typeof fn !== 'function') throw new TypeError(`This adapter has no method ${String(key)}`);
            return (fn as (...a: unknown[]) => unknown).apply(adapter, args);
          });
        methods.set(key, m);
      }
      return m;
    },
  });
}
