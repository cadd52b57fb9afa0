// The CLI: one build, dist/cli.cjs (+ its chunks), started by bin/ktrdr-sandbox.js. Vite (Rollup), the bundler the
// Electron app is built with too (electron.vite.config.ts).
// • CommonJS: on node 20 (no compile cache) the ES-module loader costs more per start than the same code as CommonJS.
// • Bundled at all because resolving hundreds of node_modules files cost ~0.5 s per command; every library the CLI
//   imports with `await import(...)` (dockerode, execa, yaml, tar, …) is a chunk node reads only when that runs.
// • Chunks chosen, not left to the bundler: `env`, `list` and `status` have a start-up budget (≤ 2 × a bare node,
//   README: Performance). Node pays ~0.15 ms per file it loads (resolve, realpath, read) and compiles every byte
//   of it (~0.035 ms per KB here). Left alone, the shared code of ~40 lazily loaded modules came out as ~120
//   chunks and `list` read 35 of them; one chunk for all three made each compile the other two. So
//   (startChunks below): cli.cjs holds what every command loads and what two of the three share; each of them has a chunk of
//   its own (`start-list`, …), as has the engine client (`start-engine`: `list` and `status`, never `env`) —
//   `list` reads 3 files; each other command module and what only it imports, a chunk of its own; each library,
//   a chunk (`lib-NAME`).
// • ssh2 stays in node_modules: it cannot be bundled (it looks for files beside itself), and only dockerode's
//   ssh:// transport loads it. So do string-width, required for the first table cell that is not plain ASCII
//   (main/cli/table.ts), and picocolors, on the first colour (main/cli/colors.ts).
// • dist/chunks.json: the sources each chunk holds (tests/integration/cli-bundles.test.ts tells from it which
//   sources a command loaded).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

const src = (path: string): string => resolve(root, 'main', path);

/** The commands with a start-up budget; and the engine client, which `list` and `status` load on every run. */
const COMMANDS: Array<[name: string, module: string]> = [
  ['list', 'cli/commands/list.ts'],
  ['status', 'cli/commands/status.ts'],
  ['env', 'cli/commands/env.ts'],
].map(([name, path]) => [name!, src(path!)]);
const ENGINE = src('adapters/engine.ts');

type ModuleInfo = { importedIds: readonly string[] } | null;

/** Every module reachable from these by static imports (the code that runs whenever one of them starts). */
function staticClosure(starts: string[], info: (id: string) => ModuleInfo): Set<string> {
  const seen = new Set<string>();
  const walk = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of info(id)?.importedIds ?? []) walk(dep);
  };
  starts.forEach(walk);
  return seen;
}

const packageOf = (id: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1];

/** Write dist/chunks.json: chunk file → the sources it holds (paths relative to the repository). */
function chunkSources(): Plugin {
  return {
    name: 'ktrdr-chunk-sources',
    generateBundle(_options, bundle) {
      const map: Record<string, string[]> = {};
      for (const out of Object.values(bundle))
        if (out.type === 'chunk') map[out.fileName] = Object.keys(out.modules).map((id) => id.replace(`${root}/`, ''));
      this.emitFile({ type: 'asset', fileName: 'chunks.json', source: `${JSON.stringify(map, null, 1)}\n` });
    },
  };
}

/**
 * The chunk of a module by what loads it: `start` (merged into cli.cjs, which is in it) for what the entry imports
 * statically and what two of the budgeted commands reach; `start-<command>` for what only one reaches;
 * `start-engine` for the rest of the engine client. Undefined: none of these (the bundler places it).
 */
function startChunks(getModuleInfo: (id: string) => ModuleInfo): (id: string) => string | undefined {
  const entry = staticClosure([src('cli/index.ts')], getModuleInfo);
  const reach = COMMANDS.map(([name, start]) => [name, staticClosure([start], getModuleInfo)] as const);
  const engine = staticClosure([ENGINE], getModuleInfo);
  return (id) => {
    const by = reach.filter(([, modules]) => modules.has(id)).map(([name]) => name);
    if (entry.has(id) || by.length > 1) return 'start';
    if (by.length === 1) return `start-${by[0]}`;
    return engine.has(id) ? 'start-engine' : undefined;
  };
}

let chunkOf: ((id: string) => string | undefined) | undefined;

export default defineConfig({
  root,
  logLevel: 'warn',
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
  // whitespace and syntax only: names are kept so stack traces stay readable (+ source maps)
  esbuild: { minifyIdentifiers: false, minifySyntax: true, minifyWhitespace: true },
  ssr: { noExternal: true, external: ['electron', 'ssh2', 'string-width', 'picocolors'], target: 'node' },
  plugins: [chunkSources()],
  build: {
    ssr: resolve(root, 'main/cli/index.ts'),
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'node20',
    minify: 'esbuild',
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry /*#__PURE__*/ comments where Rollup cannot use them (it drops them; harmless)
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
      output: {
        format: 'cjs',
        entryFileNames: 'cli.cjs',
        chunkFileNames: '[name]-[hash].cjs',
        manualChunks(id, { getModuleInfo }) {
          const lib = packageOf(id);
          if (lib) return `lib-${lib.replace('/', '-')}`;
          chunkOf ??= startChunks(getModuleInfo);
          return chunkOf(id);
        },
      },
    },
  },
});
