// The Platform of the dashboard server (plain Node, no Electron): desktop openers through the OS's own
// commands (detached, errors ignored), no clipboard (the browser copies), settings in a small JSON file.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Settings } from '../contract';
import type { Platform, SettingsStore } from './types';

export const DEFAULT_SETTINGS: Settings = { repositoryRoot: null, theme: 'system', startAtLogin: false, notifications: true };

export const SETTINGS_FILE = 'dashboard-settings.json';

/** Keep only known keys with valid values; anything else falls back to the default. */
export function sanitizeSettings(raw: unknown): Settings {
  const r = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    repositoryRoot: typeof r.repositoryRoot === 'string' && r.repositoryRoot ? r.repositoryRoot : null,
    theme: r.theme === 'light' || r.theme === 'dark' || r.theme === 'system' ? r.theme : DEFAULT_SETTINGS.theme,
    startAtLogin: typeof r.startAtLogin === 'boolean' ? r.startAtLogin : DEFAULT_SETTINGS.startAtLogin,
    notifications: typeof r.notifications === 'boolean' ? r.notifications : DEFAULT_SETTINGS.notifications,
  };
}

export function createFileSettingsStore(file: string): SettingsStore {
  let cache: Settings | null = null;
  const load = (): Settings => {
    try {
      return sanitizeSettings(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      return { ...DEFAULT_SETTINGS };
    }
  };
  return {
    get: () => ({ ...(cache ??= load()) }),
    set(patch) {
      const next = sanitizeSettings({ ...(cache ??= load()), ...patch });
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic.sync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
      cache = next;
      return { ...next };
    },
  };
}

/** Start a command detached from us; failures (no opener installed, no display) are ignored. */
function launch(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore', cwd, windowsHide: false });
      child.on('error', () => resolve());
      child.on('spawn', () => {
        child.unref();
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

export interface NodePlatformOptions {
  /** Where settings live: <home>/dashboard-settings.json. */
  home: string;
  platform?: NodeJS.Platform;
  /** Replace the process launcher (tests). */
  launch?: (cmd: string, args: string[], cwd?: string) => Promise<void>;
}

export function createNodePlatform(opts: NodePlatformOptions): Platform {
  const os = opts.platform ?? process.platform;
  const run = opts.launch ?? launch;
  const open = (target: string): Promise<void> => {
    if (os === 'darwin') return run('open', [target]);
    if (os === 'win32') return run('cmd', ['/c', 'start', '""', target]);
    return run('xdg-open', [target]);
  };
  return {
    openExternal: (url) => open(url),
    openPath: (path) => open(path),
    openTerminal(path) {
      if (os === 'darwin') return run('open', ['-a', 'Terminal', path]);
      if (os === 'win32') return run('cmd', ['/c', 'start', '""', 'cmd', '/K', `cd /d "${path}"`], path);
      return run('x-terminal-emulator', [], path);
    },
    copyText: async () => false,
    settings: createFileSettingsStore(join(opts.home, SETTINGS_FILE)),
  };
}
