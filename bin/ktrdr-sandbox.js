#!/usr/bin/env node
// Entry point: reuse V8's compiled code of the bundle between runs (v8-compile-cache), then run the CLI.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bundle = new URL('../dist/cli.cjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
  process.exit(1);
}
try {
  require('v8-compile-cache');
} catch {
  // optional: without it the CLI only starts slower
}
require(bundle.pathname);
