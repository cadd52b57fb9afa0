#!/usr/bin/env node
// The ktrdr-sandbox command. Node's own compile cache (node >= 22.1) where this node has it; nothing otherwise.
import module from 'node:module';

module.enableCompileCache?.();
try {
  await import('../dist/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
  console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
  process.exit(1);
}
