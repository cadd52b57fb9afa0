import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// How the CLI is built, and why (every command pays node's own ~90 ms start-up here; `exec`/`env` have a
// 150 ms budget, `list`/`status` 200 ms):
// • Two CLI bundles from the same sources: dist/cli-light.cjs (env, exec, url, open, list, status — what
//   agents run in loops; main/cli/light.ts) and dist/cli.cjs (every command). bin/ktrdr-sandbox.cjs runs the
//   light one when it knows the command. Both are CommonJS (no ESM loader cost), compiled through V8's code
//   cache (bin/compile-cache.cjs) like the vendored libraries.
// • Heavy libraries are NOT in those bundles: each is pre-bundled once into dist/vendor/<name>.cjs and
//   required from there on first use (the code imports them lazily: main/adapters/lazy.ts,
//   `await import(...)`). Compiling code costs ~70 ms per MB here, so a command only pays for what it runs.
// • Resolving hundreds of node_modules files cost ~0.5 s per command, hence bundling at all.
const VENDOR = ['dockerode', 'execa', 'yaml', 'tar', 'write-file-atomic', 'cli-table3'];

const vendored: Plugin = {
  name: 'vendored',
  setup(build) {
    const filter = new RegExp(`^(${VENDOR.join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./vendor/${args.path}.cjs`, external: true }));
  },
};

/** An expression for a module whose every member is a proxy: the real module is required when a member is first used. */
function lazyModule(name: string): string {
  return `(() => { const name = ${JSON.stringify(name)}; let real; const load = () => (real ??= require(name));
const member = (k) => new Proxy(function () {}, {
  construct: (_t, a) => Reflect.construct(load()[k], a),
  apply: (_t, self, a) => Reflect.apply(load()[k], self, a),
  get: (_t, p) => load()[k][p],
});
return new Proxy({}, { get: (_t, k) => member(k), has: (_t, k) => k in load() }); })()`;
}

// Some dependencies of dockerode serve features we never use at start-up (ssh:// hosts: ssh2; BuildKit
// sessions: gRPC + protobuf; build contexts: tar-fs) yet cost ~0.3 s to load, and ssh2 cannot be bundled
// (it looks for a wasm file beside itself). They are required on first real use instead. Not node's zlib:
// the plugin applies to every vendor bundle, and tar reads zlib's members at load time.
// Members are proxies too: docker-modem runs `require('ssh2').Client` at load time and only calls
// `new Client()` for ssh:// hosts, so touching a member must not load ssh2 (~75 ms) either.
const LAZY = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'tar-fs'];
const lazyDeps: Plugin = {
  name: 'lazy-deps',
  setup(build) {
    const filter = new RegExp(`^(${LAZY.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-deps' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-deps' }, (args) => ({ contents: `module.exports = ${lazyModule(args.path)};`, loader: 'js' }));
  },
};

// commander requires node:child_process at load time for executable sub-commands, which we do not have;
// loading it (and net, dgram, … under it) cost ~9 ms of every command. Our own code loads it on first use.
// (A rewrite on load: node builtins are resolved as external before an onResolve plugin would see them.)
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "require('node:child_process')";
      if (!source.includes(eager)) throw new Error(`${args.path}: expected ${eager} (commander changed: update tsup.config.ts)`);
      return { contents: source.replace(eager, lazyModule('node:child_process')), loader: 'js' };
    });
  },
};

const common: Options = {
  format: ['cjs'],
  // `await import('yaml')` must become a lazy require of dist/vendor/yaml.cjs, not a real import(): that
  // would go through node's ESM loader (slower) and is not what the code cache's vm.Script expects.
  esbuildOptions(options) {
    options.supported = { ...options.supported, 'dynamic-import': false };
    // Less to read and parse on every start; names are kept so stack traces stay readable (+ source maps).
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  platform: 'node',
  target: 'node20',
  splitting: false,
  noExternal: [/.*/],
  external: ['electron'],
};

export default defineConfig([
  {
    ...common,
    entry: { cli: 'main/cli/index.ts', 'cli-light': 'main/cli/light.ts' },
    outDir: 'dist',
    shims: true,
    sourcemap: true,
    clean: false, // dist/ is emptied by `npm run build:cli` (both configs write into it concurrently)
    esbuildPlugins: [vendored, lazyChildProcess],
    define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
  },
  {
    ...common,
    // build/vendor/<name>.cjs is `module.exports = require(name)` (ESM-only libraries become their namespace).
    entry: Object.fromEntries(VENDOR.map((n) => [n, `build/vendor/${n}.cjs`])),
    outDir: 'dist/vendor',
    clean: false,
    esbuildPlugins: [lazyDeps],
  },
]);
