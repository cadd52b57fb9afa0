// V8 code cache for the CLI's own bundles (dist/**/*.cjs): node 20 compiles every CommonJS file from source
// on every run (module.enableCompileCache() only arrived in node 22). Compiling the light bundle and the
// vendored libraries cost ~10–25 ms of each `env` / `list`; with V8's cache they are deserialised instead.
//
// One cache file per bundle file, keyed by node version, path, size and mtime, in the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows)/ktrdr-sandbox/v8: it
// belongs to the installed CLI, not to the sandbox state, and can be deleted at any time. Written (temp file + rename) at exit when missing or rejected by V8, after the
// command ran, so it also holds the functions the command compiled lazily. Any failure falls back to a plain
// compile; KTRDR_SANDBOX_NO_COMPILE_CACHE=1 turns it off.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

function cacheDirFor(env, platform = process.platform) {
  const home = env.HOME || require('node:os').homedir();
  const base =
    platform === 'darwin'
      ? path.join(home, 'Library', 'Caches')
      : platform === 'win32'
        ? env.LOCALAPPDATA || path.join(home, 'AppData', 'Local')
        : env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'ktrdr-sandbox', 'v8');
}

function makeRequire(mod) {
  const req = (id) => mod.require(id);
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.main = require.main;
  req.extensions = Module._extensions;
  req.cache = Module._cache;
  return req;
}

/** Route the compilation of every .cjs file under `root` through V8's code cache. */
function install(root, env = process.env) {
  if (env.KTRDR_SANDBOX_NO_COMPILE_CACHE === '1') return;
  const dir = cacheDirFor(env);
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const pending = [];
  const compile = Module.prototype._compile;

  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(prefix) || !filename.endsWith('.cjs')) return compile.call(this, content, filename);
    let file;
    let cachedData;
    try {
      const st = fs.statSync(filename);
      const name = path.relative(root, filename).replace(/[\\/]/g, '_');
      file = path.join(dir, `${process.version}-${name}-${st.size}-${Math.trunc(st.mtimeMs)}.bin`);
      cachedData = fs.readFileSync(file);
    } catch {
      // no cache yet
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      return compile.call(this, content, filename); // let node report the syntax error its usual way
    }
    if (file && (!cachedData || script.cachedDataRejected)) pending.push({ file, script });
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    for (const { file, script } of pending) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        // drop the caches of older builds of this file
        const stem = path.basename(file).replace(/-\d+-\d+\.bin$/, '-');
        for (const old of fs.readdirSync(dir)) if (old.startsWith(stem) && old !== path.basename(file)) fs.rmSync(path.join(dir, old), { force: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      } catch {
        // read-only home, full disk: the next run compiles from source again
      }
    }
  });
}

module.exports = { install, cacheDirFor };
