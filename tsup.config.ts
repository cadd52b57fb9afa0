import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// Some dependencies of dockerode are only needed for features we never use at start-up (ssh:// hosts:
// ssh2; BuildKit sessions: gRPC + protobuf) yet cost ~0.3 s to load, and ssh2 cannot be bundled (it looks
// for a wasm file beside itself). They are required from node_modules on first real use instead.
const LAZY = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader'];
const lazyDeps: Plugin = {
  name: 'lazy-deps',
  setup(build) {
    const filter = new RegExp(`^(${LAZY.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-deps' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-deps' }, (args) => ({
      contents: `const name = ${JSON.stringify(args.path)}; let real; const load = () => (real ??= require(name));
module.exports = new Proxy({}, { get: (_t, k) => load()[k], has: (_t, k) => k in load() });`,
      loader: 'js',
    }));
  },
};

// The CLI (and the dashboard server it hosts) is bundled into ONE file with its dependencies: resolving
// hundreds of node_modules files cost ~0.5 s per command; one file loads in tens of ms. `exec`/`env` must
// stay under 150 ms of overhead.
export default defineConfig({
  entry: { cli: 'main/cli/index.ts' },
  outDir: 'dist',
  // CommonJS so that v8-compile-cache (bin/ktrdr-sandbox.js) can reuse V8's compiled code between runs:
  // compiling the 2 MB bundle cost ~170 ms of every command.
  format: ['cjs'],
  shims: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  noExternal: [/.*/],
  external: ['electron'],
  esbuildPlugins: [lazyDeps],
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
});
