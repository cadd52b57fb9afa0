// The Electron Platform: what the shared handlers need from the desktop (open URLs, folders and terminals, the
// clipboard, persisted settings, "start at login"). Thin glue over Electron; the decisions live in os.ts,
// settings.ts and security.ts, which are unit-tested.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app, clipboard, shell } from 'electron';
import Store from 'electron-store';
import type { Settings } from '../shared/contract';
import { SandboxError } from '../core/errors';
import type { Platform } from '../ui-backend/types';
import { autostartDesktopEntry, autostartFile, HIDDEN_ARG, selfCommand, terminalCandidates, type LaunchSpec } from './os';
import { isHttpUrl } from './security';
import { createSettingsStore, DEFAULT_SETTINGS } from './settings';

/** Start the first candidate that exists; resolves once it spawned, rejects when none could be started. */
export function launchFirst(candidates: LaunchSpec[]): Promise<LaunchSpec> {
  return new Promise((resolve, reject) => {
    const tryAt = (i: number): void => {
      const c = candidates[i];
      if (!c) {
        reject(new SandboxError('STATE', 'No terminal emulator found', { hint: 'Set $TERMINAL to your terminal program.' }));
        return;
      }
      const child = spawn(c.command, c.args, { cwd: c.cwd, detached: true, stdio: 'ignore', windowsHide: false });
      child.once('error', () => tryAt(i + 1));
      child.once('spawn', () => {
        child.unref();
        resolve(c);
      });
    };
    tryAt(0);
  });
}

function applyLoginItemLinux(enabled: boolean): void {
  const file = autostartFile(process.env, os.homedir());
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  const exec = [
    ...selfCommand({ execPath: process.execPath, appImage: process.env.APPIMAGE, isPackaged: app.isPackaged, appPath: app.getAppPath() }),
    HIDDEN_ARG,
  ];
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, autostartDesktopEntry({ name: app.getName(), exec }), 'utf8');
}

export function applyStartAtLogin(enabled: boolean, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'linux') applyLoginItemLinux(enabled);
  else if (platform === 'darwin') app.setLoginItemSettings({ openAtLogin: enabled });
  else if (platform === 'win32') app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
}

/** Was this process started by the OS at login (so it should stay in the tray)? */
export function launchedAtLogin(argv: readonly string[] = process.argv): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

export interface ElectronPlatformOptions {
  /** Called after every settings change (tray checkbox, theme, …). */
  onSettingsChange?(next: Settings, prev: Settings): void;
}

export function createElectronPlatform(opts: ElectronPlatformOptions = {}): Platform {
  const store = new Store<Settings>({ name: 'settings', defaults: { ...DEFAULT_SETTINGS }, clearInvalidConfig: true });
  const settings = createSettingsStore(
    {
      read: () => store.store,
      write: (s) => {
        store.store = s;
      },
    },
    opts.onSettingsChange,
  );
  return {
    async openExternal(url) {
      if (!isHttpUrl(url)) throw new SandboxError('USAGE', `Only http(s) links can be opened: ${url}`);
      await shell.openExternal(url);
    },
    async openPath(p) {
      const error = await shell.openPath(p);
      if (error) throw new SandboxError('STATE', `Could not open ${p}: ${error}`, { hint: `Copy it instead: ${p}`, details: { copy: p } });
    },
    async openTerminal(dir) {
      const cd = `cd '${dir.replace(/'/g, `'\\''`)}'`;
      await launchFirst(terminalCandidates(process.platform, dir, process.env)).catch((err: unknown) => {
        throw new SandboxError('STATE', (err as Error).message, {
          hint: `Set $TERMINAL to your terminal program, or copy: ${cd}`,
          details: { copy: cd },
        });
      });
    },
    async copyText(text) {
      clipboard.writeText(text);
      return true;
    },
    settings,
    setStartAtLogin: (enabled) => applyStartAtLogin(enabled),
  };
}
