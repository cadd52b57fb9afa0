#!/usr/bin/env node
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
    process.exit(1);
  }
  throw err;
});
