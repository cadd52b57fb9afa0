// The tool's version, injected at build time (vite.cli.config.ts, electron.vite.config.ts; falls back for unbundled runs).
declare const __KTRDR_SANDBOX_VERSION__: string | undefined;
export const version: string = typeof __KTRDR_SANDBOX_VERSION__ === 'string' ? __KTRDR_SANDBOX_VERSION__ : '0.0.0-dev';
