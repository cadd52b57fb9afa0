import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The CLI: one build, dist/cli.cjs, started by bin/ktrdr-sandbox.js.
// • CommonJS with code splitting (tsup's splitting for cjs): every `await import(...)` of the sources (a
//   command's module, dockerode, execa, yaml, tar, …) becomes a chunk of its own that node reads only when that
//   import runs, so a command pays for what it runs and nothing else. CommonJS, not ES modules: on node 20
//   (no compile cache) the ES-module loader cost `env` ~19 ms more CPU than the same chunks as CommonJS
//   (README, Performance).
// • Bundled at all because resolving hundreds of node_modules files cost ~0.5 s per command.
// • ssh2 stays in node_modules: it cannot be bundled (it looks for files beside itself), and only dockerode's
//   ssh:// transport loads it. So does cli-table3: required on the first table drawn (main/cli/render.ts), it
//   would otherwise sit in a chunk every command reads.
// • `await import('yaml')` must give yaml's named exports (`const { parse } = await import('yaml')`). The build
//   takes yaml's own ES-module build, whose named exports esbuild keeps.
const yamlEsm: Plugin = {
  name: 'yaml-esm',
  setup(build) {
    const file = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser', 'index.js');
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: file }));
  },
};

export default defineConfig({
  entry: { cli: 'main/cli/index.ts' },
  outDir: 'dist',
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  shims: true, // import.meta.url for the sources that read it (adapters/package-root.ts)
  sourcemap: true,
  // dist/metafile-cjs.json: which sources each chunk holds (a chunk's source map names only some of them);
  // tests/integration/cli-bundles.test.ts reads it to tell which sources a command loaded.
  metafile: true,
  clean: true,
  noExternal: [/^(?!ssh2$|electron$|cli-table3$).*/],
  external: ['electron', 'ssh2', 'cli-table3'],
  esbuildPlugins: [yamlEsm],
  esbuildOptions(options) {
    // Less to read and parse on every start; names are kept so stack traces stay readable (+ source maps).
    options.minifyWhitespace = true;
    options.minifySyntax = true;
    // tsup turns the ES-module chunks into CommonJS with sucrase, which also rewrites `?.`, `??`, `catch {` and
    // class fields — and broke minified code doing so (`return(await x)?.y` became `returnawait …`; a field
    // initialiser landed inside `if(super(),…)`). esbuild lowers them first, so sucrase only converts imports
    // and exports. tests/integration/cli-bundles.test.ts compiles every chunk.
    options.supported = {
      ...options.supported,
      'optional-chain': false,
      'nullish-coalescing': false,
      'optional-catch-binding': false,
      'class-field': false,
      'class-static-field': false,
    };
  },
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
});
