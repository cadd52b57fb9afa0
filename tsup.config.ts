import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The CLI: one build, dist/cli.js, started by bin/ktrdr-sandbox.js.
// • ES modules with code splitting: every `await import(...)` of the sources (a command's module, dockerode,
//   execa, yaml, tar, …) becomes a chunk of its own that node reads only when that import runs, so a command
//   pays for what it runs and nothing else. (ESM was measured against one CommonJS bundle: see README,
//   Performance.)
// • Bundled at all because resolving hundreds of node_modules files cost ~0.5 s per command.
// • Bundled CommonJS libraries call require() for node builtins: the banner gives every chunk a real one.
// • ssh2 stays in node_modules: it cannot be bundled (it looks for files beside itself), and only dockerode's
//   ssh:// transport loads it.
// • `await import('yaml')` must give yaml's named exports (`const { parse } = await import('yaml')`). esbuild
//   turns a dynamic import of a CommonJS module into `export default require_x()` — no named exports — and
//   node's condition picks yaml's CommonJS build, so the build takes yaml's own ES-module build instead.
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
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  shims: true, // __filename and __dirname for the bundled CommonJS libraries that read them
  sourcemap: true,
  clean: true,
  noExternal: [/^(?!ssh2$|electron$).*/],
  external: ['electron', 'ssh2'],
  banner: { js: "import { createRequire as __ktsCreateRequire } from 'node:module'; const require = __ktsCreateRequire(import.meta.url);" },
  esbuildPlugins: [yamlEsm],
  esbuildOptions(options) {
    // Less to read and parse on every start; names are kept so stack traces stay readable (+ source maps).
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
});
