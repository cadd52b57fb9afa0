import { describe, expect, it, vi } from 'vitest';
import { autostartDesktopEntry, autostartFile, desktopExecArg, selfCommand, terminalCandidates } from '../../../main/app/os';
import { createSettingsStore, DEFAULT_SETTINGS, normalizeSettings } from '../../../main/app/settings';
import type { Settings } from '../../../main/shared/contract';

describe('terminalCandidates', () => {
  it('uses Terminal.app on macOS', () => {
    expect(terminalCandidates('darwin', '/w/x')).toEqual([{ command: 'open', args: ['-a', 'Terminal', '/w/x'], cwd: '/w/x' }]);
  });
  it('tries Windows Terminal, then a console', () => {
    expect(terminalCandidates('win32', 'C:\\w\\x').map((c) => c.command)).toEqual(['wt.exe', 'cmd.exe']);
    expect(terminalCandidates('win32', 'C:\\w\\x')[0]!.args).toEqual(['-d', 'C:\\w\\x']);
  });
  it('prefers $TERMINAL on Linux, then the usual emulators, all in the directory', () => {
    const list = terminalCandidates('linux', '/w/my dir', { TERMINAL: 'foot' });
    expect(list[0]).toEqual({ command: 'foot', args: [], cwd: '/w/my dir' });
    expect(list.map((c) => c.command)).toContain('gnome-terminal');
    expect(list.find((c) => c.command === 'gnome-terminal')!.args).toEqual(['--working-directory=/w/my dir']);
    expect(list.every((c) => c.cwd === '/w/my dir')).toBe(true);
    expect(terminalCandidates('linux', '/w')[0]!.command).toBe('x-terminal-emulator');
  });
});

describe('XDG autostart', () => {
  it('quotes Exec arguments per the desktop entry spec', () => {
    expect(desktopExecArg('/opt/KTRDR/ktrdr-sandbox')).toBe('/opt/KTRDR/ktrdr-sandbox');
    expect(desktopExecArg('/home/me/Apps/KTRDR Sandbox.AppImage')).toBe('"/home/me/Apps/KTRDR Sandbox.AppImage"');
    expect(desktopExecArg('a"b$c`d\\e')).toBe('"a\\"b\\$c\\`d\\\\e"');
  });
  it('writes an entry that starts the app hidden', () => {
    const text = autostartDesktopEntry({ name: 'KTRDR Sandbox', exec: ['/home/me/KTRDR Sandbox.AppImage', '--hidden'] });
    expect(text).toContain('[Desktop Entry]\nType=Application\n');
    expect(text).toContain('Exec="/home/me/KTRDR Sandbox.AppImage" --hidden\n');
    expect(text).toContain('Name=KTRDR Sandbox\n');
    expect(text.endsWith('\n')).toBe(true);
  });
  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/me')).toBe('/x/cfg/autostart/ktrdr-sandbox.desktop');
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/me')).toBe('/home/me/.config/autostart/ktrdr-sandbox.desktop');
    expect(autostartFile({}, '/home/me')).toBe('/home/me/.config/autostart/ktrdr-sandbox.desktop');
  });
  it('starts the AppImage when run from one, else the executable (plus the app path in dev)', () => {
    expect(selfCommand({ execPath: '/tmp/.mount/app', appImage: '/home/me/K.AppImage', isPackaged: true, appPath: '/x' })).toEqual([
      '/home/me/K.AppImage',
    ]);
    expect(selfCommand({ execPath: '/opt/k/k', isPackaged: true, appPath: '/x' })).toEqual(['/opt/k/k']);
    expect(selfCommand({ execPath: '/n/electron', isPackaged: false, appPath: '/src' })).toEqual(['/n/electron', '/src']);
  });
});

describe('settings', () => {
  it('fills defaults and drops junk from whatever is on disk', () => {
    expect(normalizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(normalizeSettings({ theme: 'purple', startAtLogin: 'yes', notifications: false, repositoryRoot: '', extra: 1 })).toEqual({
      ...DEFAULT_SETTINGS,
      notifications: false,
    });
    expect(normalizeSettings({ repositoryRoot: '/w/ktrdr', theme: 'dark' })).toMatchObject({ repositoryRoot: '/w/ktrdr', theme: 'dark' });
  });
  it('merges patches, persists, and tells observers', () => {
    let disk: unknown = { theme: 'light' };
    const onChange = vi.fn();
    const store = createSettingsStore({ read: () => disk, write: (s) => (disk = s) }, onChange);
    expect(store.get().theme).toBe('light');
    const next = store.set({ startAtLogin: true });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, theme: 'light', startAtLogin: true });
    expect(disk).toEqual(next);
    expect(onChange).toHaveBeenCalledWith(next, { ...DEFAULT_SETTINGS, theme: 'light' } satisfies Settings);
  });
});
