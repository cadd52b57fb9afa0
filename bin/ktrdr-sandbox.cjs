#!/usr/bin/env node
// Entry point, CommonJS on purpose (an ES module entry costs node ~20 ms more to start). The light bundle
// (env, exec, url, open, list, status) is small and starts fast; every other command loads the full bundle,
// through v8-compile-cache so that V8's compiled code of it is reused between runs.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
if (!existsSync(join(dist, 'cli.cjs')) || !existsSync(join(dist, 'cli-light.cjs'))) {
  console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
  process.exit(1);
}
if (!require(join(dist, 'cli-light.cjs')).main(process.argv)) {
  try {
    require('v8-compile-cache');
  } catch {
    // optional: without it the CLI only starts slower
  }
  require(join(dist, 'cli.cjs'));
}
