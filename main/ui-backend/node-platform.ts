// The Platform of the dashboard server (plain Node, no Electron): desktop openers through the OS's own
// commands, no clipboard (the browser copies), settings in a small JSON file. Where there is no desktop (Linux
// without DISPLAY / WAYLAND_DISPLAY: a server, an SSH session) or the opener fails, the opener says so — the
// dashboard then offers to copy the path, the `cd` command or the URL instead.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Settings } from '../shared/contract';
import { SandboxError } from '../core/errors';
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

/** Is there a desktop session to open things in? (macOS and Windows always; Linux/BSD: an X or Wayland display.) */
export function hasDesktop(os: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (os === 'darwin' || os === 'win32') return true;
  return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export class NoDesktopError extends SandboxError {
  constructor(what: string, reason: string, copy: string) {
    super('STATE', `Cannot open ${what} here: ${reason}`, { hint: `Copy it instead: ${copy}`, details: { copy } });
  }
}

/**
 * Start a command detached from us. Rejects when it cannot start, or when it exits non-zero within `settleMs`
 * (xdg-open answers at once when it finds nothing to open with); still running by then counts as opened.
 */
export function launch(cmd: string, args: string[], cwd?: string, settleMs = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, { detached: true, stdio: 'ignore', cwd, windowsHide: false });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, settleMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with code ${code}`));
    });
  });
}

export interface NodePlatformOptions {
  /** Where settings live: <home>/dashboard-settings.json. */
  home: string;
  platform?: NodeJS.Platform;
  /** Replace the process launcher (tests). */
  launch?: (cmd: string, args: string[], cwd?: string) => Promise<void>;
  /** The environment that tells whether there is a desktop (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export function createNodePlatform(opts: NodePlatformOptions): Platform {
  const os = opts.platform ?? process.platform;
  const run = opts.launch ?? launch;
  const env = opts.env ?? process.env;
  const headless = 'no desktop session (no DISPLAY or WAYLAND_DISPLAY: a server or an SSH session)';
  /** Run the opener; no desktop or a failing opener becomes a NoDesktopError offering `copy`. */
  const attempt = async (what: string, copy: string, cmd: string, args: string[], cwd?: string): Promise<void> => {
    if (!hasDesktop(os, env)) throw new NoDesktopError(what, headless, copy);
    try {
      await run(cmd, args, cwd);
    } catch (err) {
      throw new NoDesktopError(what, `${cmd} failed (${err instanceof Error ? err.message : String(err)})`, copy);
    }
  };
  const open = (what: string, target: string, copy: string): Promise<void> => {
    if (os === 'darwin') return attempt(what, copy, 'open', [target]);
    if (os === 'win32') return attempt(what, copy, 'cmd', ['/c', 'start', '""', target]);
    return attempt(what, copy, 'xdg-open', [target]);
  };
  return {
    openExternal: (url) => open('a browser', url, url),
    openPath: (path) => open(`the folder ${path}`, path, path),
    openTerminal(path) {
      const cd = `cd '${path.replace(/'/g, `'\\''`)}'`;
      if (os === 'darwin') return attempt('a terminal', cd, 'open', ['-a', 'Terminal', path]);
      if (os === 'win32')
        return attempt('a terminal', `cd /d "${path}"`, 'cmd', ['/c', 'start', '""', 'cmd', '/K', `cd /d "${path}"`], path);
      return attempt('a terminal', cd, 'x-terminal-emulator', [], path);
    },
    copyText: async () => false,
    settings: createFileSettingsStore(join(opts.home, SETTINGS_FILE)),
  };
}
