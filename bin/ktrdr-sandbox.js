#!/usr/bin/env node
// The ktrdr-sandbox command: a plain CommonJS program (bin/package.json), like the build it starts
// (dist/cli.cjs; on node 20 CommonJS starts faster than ES modules). Node's own compile cache (node >= 22.1)
// where this node has it; nothing otherwise.
'use strict';
require('node:module').enableCompileCache?.();
try {
  require('../dist/cli.cjs');
} catch (err) {
  // not built yet: the build itself is missing (a module it needs missing is another story, rethrown)
  if (err?.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.cjs')) throw err;
  console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
  process.exit(1);
}
