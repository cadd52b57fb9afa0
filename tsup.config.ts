import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The CLI (and the dashboard server it hosts) is bundled into one ESM file; runtime deps stay external.
export default defineConfig({
  entry: { cli: 'main/cli/index.ts' },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
});
