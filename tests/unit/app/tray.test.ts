import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// tray.ts and window.ts import Electron; their pure helpers are tested with the module mocked.
vi.mock('electron', () => ({ Menu: {}, nativeImage: {}, nativeTheme: {}, Tray: class {}, app: {}, BrowserWindow: class {} }));

const { toMenuTemplate, trayIconFile } = await import('../../../main/app/tray');
const { hashScript } = await import('../../../main/app/window');
const { menuFor } = await import('../../../main/app/tray-menu');
const { snapshot, view } = await import('./fixtures');

describe('trayIconFile', () => {
  it('uses template images on macOS, themed variants elsewhere', () => {
    expect(trayIconFile('running', 'darwin', true)).toBe('tray-runningTemplate.png');
    expect(trayIconFile('failing', 'win32', false)).toBe('tray-failing-light.png');
    expect(trayIconFile('failing', 'win32', true)).toBe('tray-failing-dark.png');
    expect(trayIconFile('idle', 'linux', false)).toBe('tray-idle-dark.png');
  });
  it('names files that exist (1x and @2x) for every state', () => {
    const dir = path.resolve(import.meta.dirname, '../../../build/icons/tray');
    for (const state of ['idle', 'running', 'failing', 'busy', 'down'] as const) {
      for (const [platform, dark] of [
        ['darwin', false],
        ['win32', false],
        ['win32', true],
        ['linux', true],
      ] as const) {
        const file = trayIconFile(state, platform, dark);
        expect(existsSync(path.join(dir, file)), file).toBe(true);
        expect(existsSync(path.join(dir, file.replace('.png', '@2x.png'))), file).toBe(true);
      }
    }
  });
});

describe('toMenuTemplate', () => {
  it('keeps structure, labels and state, and clicks hand back the action', () => {
    const onAction = vi.fn();
    const specs = menuFor(snapshot({ instances: [view('feat-a')] }), { startAtLogin: true, platform: 'linux' });
    const tpl = toMenuTemplate(specs, onAction);
    expect(tpl).toHaveLength(specs.length);
    expect(tpl[0]).toEqual({ label: specs[0]!.label, enabled: false, type: 'normal' });
    const sub = tpl.find((t) => t.type === 'submenu')!;
    const items = sub.submenu as { label?: string; click?: () => void; type?: string }[];
    const stop = items.find((i) => i.label === 'Stop')!;
    stop.click!();
    expect(onAction).toHaveBeenCalledWith({ kind: 'down', id: 'feat-a' });
    expect(items.filter((i) => i.type === 'separator').length).toBeGreaterThan(0);
    const login = tpl.find((t) => t.label === 'Start at login')!;
    expect(login).toMatchObject({ type: 'checkbox', checked: true });
    login.click!({} as never, undefined, {} as never);
    expect(onAction).toHaveBeenLastCalledWith({ kind: 'toggleStartAtLogin' });
    expect(tpl[0]!.click).toBeUndefined();
  });
});

describe('hashScript', () => {
  it('sets the hash, re-triggering it when already set, with the value safely quoted', () => {
    expect(hashScript('create')).toBe(`(function (h) { if (location.hash === h) { location.hash = ''; } location.hash = h; })("#create");`);
    expect(hashScript('#x"y')).toContain('("#x\\"y")');
  });
});
