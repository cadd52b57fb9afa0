// electron-vite: Electron main (ESM, dependencies external), the sandboxed preload (one self-contained CommonJS
// file: a sandboxed preload can only `require('electron')`), and the React renderer from renderer/.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './main/app/security';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

/** Production builds of index.html carry the strict CSP as a <meta> tag: a file:// page has no response headers. */
function cspMeta(): Plugin {
  return {
    name: 'ktrdr-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy({ meta: true }) },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  main: {
    define: { __KTRDR_SANDBOX_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve(root, 'main/app/index.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
        // The core imports its rare paths (repairing an interrupted create, the override's state) with import()
        // so that the CLI's start-up never loads them (vite.cli.config.ts). The app's main process loads once
        // and imports those modules statically elsewhere too: Vite's note that they stay where they are is
        // expected here, not news.
        onwarn(warning, warn) {
          if (warning.plugin === 'vite:reporter' && warning.message.includes('dynamic import will not move module')) return;
          warn(warning);
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false, // bundle everything: nothing but 'electron' may be required in the sandbox
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react(), cspMeta()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // electron-vite leaves the renderer unminified; `ktrdr-sandbox dashboard` serves this build to browsers too,
      // and parsing 700 kB instead of ~220 kB was a large part of the first paint.
      minify: true,
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
