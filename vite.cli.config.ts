// The CLI: one build, dist/cli.cjs (+ its chunks), started by bin/ktrdr-sandbox.js. Vite (Rollup), the bundler the
// Electron app is built with too (electron.vite.config.ts).
// • CommonJS: on node 20 (no compile cache) the ES-module loader costs more per start than the same code as CommonJS.
// • Bundled at all because resolving hundreds of node_modules files cost ~0.5 s per command; every library the CLI
//   imports with `await import(...)` (dockerode, execa, yaml, tar, …) is a chunk node reads only when that runs.
// • Chunks chosen, not left to the bundler: `env`, `list` and `status` have a start-up budget (≤ 2 × a bare node,
//   README: Performance), and node pays ~0.1–0.2 ms per file it loads (resolve, realpath, read, compile) beside
//   ~0.02 ms per KB. Left alone, the shared code of ~40 lazily loaded modules came out as ~120 chunks and `list`
//   read 35 of them. So: what those three commands run is one chunk (`start`: `list` reads it and cli.cjs, 2
//   files); each other command module and what only it imports, a chunk of its own; each library, a chunk
//   (`lib-NAME`).
// • ssh2 stays in node_modules: it cannot be bundled (it looks for files beside itself), and only dockerode's
//   ssh:// transport loads it. So do cli-table3, required on the first table drawn (main/cli/render.ts), and
//   picocolors, on the first colour (main/cli/colors.ts).
// • dist/chunks.json: the sources each chunk holds (tests/integration/cli-bundles.test.ts tells from it which
//   sources a command loaded).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

const src = (path: string): string => resolve(root, 'main', path);

/**
 * Chunks by what runs together: one chunk (`start`) for what the command modules with a start-up budget import
 * statically, plus what they load on every run — the engine client (each makes a Docker call), the live progress
 * display (every human run), the shared folders' state (`status` of a manifest with shared folders, KTRDR's).
 * A module goes to the first group whose starts reach it by static imports.
 */
const GROUPS: Array<[chunk: string, starts: string[]]> = [
  [
    'start',
    [
      'cli/commands/list.ts',
      'cli/commands/status.ts',
      'cli/commands/env.ts',
      'cli/live-progress.ts',
      'adapters/engine.ts',
      'core/use-cases/shared-overlay.ts',
    ].map(src),
  ],
];

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

let groups: Array<[chunk: string, modules: Set<string>]> | undefined;

export default defineConfig({
  root,
  logLevel: 'warn',
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
  // whitespace and syntax only: names are kept so stack traces stay readable (+ source maps)
  esbuild: { minifyIdentifiers: false, minifySyntax: true, minifyWhitespace: true },
  ssr: { noExternal: true, external: ['electron', 'ssh2', 'cli-table3', 'picocolors'], target: 'node' },
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
          groups ??= GROUPS.map(([chunk, starts]) => [chunk, staticClosure(starts, getModuleInfo)]);
          return groups.find(([, modules]) => modules.has(id))?.[0];
        },
      },
    },
  },
});
