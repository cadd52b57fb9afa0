import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

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
export default defineConfig({
  entry: { cli: 'main/cli/index.ts' },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  sourcemap: true,
  clean: true,
  noExternal: [/^(?!ssh2$|electron$).*/],
  external: ['electron', 'ssh2'],
  banner: { js: "import { createRequire as __ktsCreateRequire } from 'node:module'; const require = __ktsCreateRequire(import.meta.url);" },
  esbuildOptions(options) {
    // Less to read and parse on every start; names are kept so stack traces stay readable (+ source maps).
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
});
