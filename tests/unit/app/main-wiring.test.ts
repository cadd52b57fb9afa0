// The Electron entry point, wired for real against a fake Electron: app lifecycle, IPC for every contract channel
// (through the real handlers and state service), the tray, the window's security settings, the CSP, settings and
// the XDG autostart entry. The Docker endpoint points nowhere, so this also walks the "Docker not running" path
// without touching an engine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, type Result, type Snapshot } from '../../../main/shared/contract';

const fake = vi.hoisted(() => {
  // vi.hoisted runs before the imports above: load what it needs itself.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before any import
  const { EventEmitter: EE } = require('node:events') as typeof import('node:events');
  const log: unknown[] = [];
  class App extends EE {
    isPackaged = false;
    dock = undefined;
    getAppPath = () => process.cwd();
    requestSingleInstanceLock = () => true;
    whenReady = () => Promise.resolve();
    quit = () => log.push('quit');
    exit = (c: number) => log.push(`exit ${c}`);
    setAppUserModelId = () => undefined;
    getLoginItemSettings = () => ({ openAtLogin: false, wasOpenedAtLogin: false });
    setLoginItemSettings = (s: unknown) => log.push(['setLoginItemSettings', s]);
    getName = () => 'KTRDR Sandbox';
  }
  class FakeWindow extends EE {
    static last: FakeWindow | null = null;
    url = '';
    visible = false;
    sent: [string, unknown][] = [];
    webContents = {
      send: (c: string, p: unknown) => this.sent.push([c, p]),
      isDestroyed: () => false,
      executeJavaScript: async (s: string) => log.push(['js', s]),
    };
    constructor(readonly opts: { webPreferences: Record<string, unknown> }) {
      super();
      FakeWindow.last = this;
      setTimeout(() => this.emit('ready-to-show'), 0);
    }
    setMenu() {}
    loadURL(u: string) {
      this.url = u;
      return Promise.resolve();
    }
    show() {
      this.visible = true;
      this.emit('show');
    }
    hide() {
      this.visible = false;
      this.emit('hide');
    }
    focus() {}
    restore() {}
    isDestroyed = () => false;
    isMinimized = () => false;
    isVisible = () => this.visible;
  }
  type Item = { label?: string; type?: string; checked?: boolean; enabled?: boolean; click?: () => void; submenu?: Item[] };
  class FakeTray extends EE {
    static last: FakeTray | null = null;
    menu: Item[] = [];
    menus = 0;
    tooltip = '';
    constructor(public img: { p: string }) {
      super();
      FakeTray.last = this;
    }
    setImage(i: { p: string }) {
      this.img = i;
    }
    setContextMenu(m: Item[]) {
      this.menu = m;
      this.menus++;
    }
    setToolTip(t: string) {
      this.tooltip = t;
    }
    setTitle() {}
    destroy() {}
  }
  const ipcHandlers = new Map<string, (e: unknown, ...a: unknown[]) => Promise<unknown>>();
  const state = { onHeaders: null as null | ((d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) };
  const electron = {
    app: new App(),
    ipcMain: {
      handle: (c: string, fn: (e: unknown, ...a: unknown[]) => Promise<unknown>) => ipcHandlers.set(c, fn),
      removeHandler: (c: string) => ipcHandlers.delete(c),
    },
    nativeTheme: Object.assign(new EE(), { themeSource: 'system', shouldUseDarkColors: false }),
    Notification: class {
      static isSupported = () => true;
      constructor(readonly o: unknown) {}
      show() {
        log.push(['notify', this.o]);
      }
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: typeof state.onHeaders) => (state.onHeaders = fn) },
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
      },
    },
    shell: { openExternal: async (u: string) => log.push(['openExternal', u]), openPath: async () => '' },
    clipboard: { writeText: (t: string) => log.push(['clipboard', t]) },
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: (t: Item[]) => t },
    nativeImage: { createFromPath: (p: string) => ({ p, setTemplateImage: () => undefined }) },
  };
  return { log, electron, FakeWindow, FakeTray, ipcHandlers, state };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
// electron-store needs a real Electron; an in-memory stand-in with the same surface we use.
vi.mock('electron-store', () => ({
  default: class {
    store: Record<string, unknown>;
    constructor(o: { defaults: Record<string, unknown> }) {
      this.store = { ...o.defaults };
    }
  },
}));

let tmp: string;
const saved = { ...process.env };

async function call(channel: string, args: unknown[] = [], url?: string): Promise<Result<unknown>> {
  const h = fake.ipcHandlers.get(`ktrdr:${channel}`);
  if (!h) throw new Error(`no handler for ${channel}`);
  return (await h({ senderFrame: { url: url ?? fake.FakeWindow.last!.url } }, ...args)) as Result<unknown>;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ktrdr-app-wiring-'));
  process.env.KTRDR_SANDBOX_HOME = path.join(tmp, 'home');
  process.env.KTRDR_SHARED_HOME = path.join(tmp, 'shared');
  process.env.XDG_CONFIG_HOME = path.join(tmp, 'xdg');
  process.env.DOCKER_HOST = `unix://${path.join(tmp, 'no-docker.sock')}`;
  delete process.env.ELECTRON_RENDERER_URL;
  await import('../../../main/app/index');
  await until(() => fake.FakeWindow.last?.visible === true && fake.ipcHandlers.size > 0);
}, 60_000);

afterAll(() => {
  fake.electron.app.emit('before-quit');
  process.env = saved;
  rmSync(tmp, { recursive: true, force: true });
});

describe('Electron main wiring (fake Electron, no Docker)', () => {
  it('registers one IPC handler per contract channel', () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(INVOKE_CHANNELS.map((c) => `ktrdr:${c}`).sort());
  });

  it('opens a locked-down window on the built renderer', () => {
    const w = fake.FakeWindow.last!;
    expect(w.url).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
    expect(w.opts.webPreferences).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true });
    expect(String(w.opts.webPreferences.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('sets the strict CSP on responses', () => {
    let headers: Record<string, string[]> = {};
    fake.state.onHeaders!({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']![0]).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(headers['content-security-policy']).toBeUndefined();
  });

  it('answers the snapshot over IPC and reports Docker down in the tray', async () => {
    await until(() => fake.FakeTray.last?.tooltip.includes('Docker not running') === true, 10_000);
    const res = await call('snapshot');
    expect(res.ok).toBe(true);
    expect((res as { value: Snapshot }).value.engine.state).toBe('down');
    expect(fake.FakeTray.last!.img.p).toMatch(/tray-down-dark\.png$/);
    expect(fake.FakeTray.last!.menu[0]!.label).toBe('Docker not running — retrying');
    expect(fake.FakeWindow.last!.sent.some(([c]) => c === 'ktrdr:event:state')).toBe(true);
  });

  it('refuses untrusted frames and malformed calls with envelopes', async () => {
    await expect(call('snapshot', [], 'https://evil.example/')).resolves.toMatchObject({ ok: false, error: { code: 'USAGE' } });
    await expect(call('up', [])).resolves.toMatchObject({ ok: false, error: { code: 'USAGE' } });
    await expect(call('status', ['nope'])).resolves.toMatchObject({ ok: false });
  });

  it('toggles "Start at login" from the tray: settings, XDG autostart entry, checkbox', async () => {
    const item = () => fake.FakeTray.last!.menu.find((i) => i.label === 'Start at login')!;
    expect(item().checked).toBe(false);
    item().click!();
    await until(() => item().checked === true);
    await expect(call('getSettings')).resolves.toMatchObject({ ok: true, value: { startAtLogin: true } });
    const entry = readFileSync(path.join(tmp, 'xdg', 'autostart', 'ktrdr-sandbox.desktop'), 'utf8');
    expect(entry).toMatch(/^Exec=.* --hidden$/m);
  });

  it('opens links only in the default browser, and only http(s)', async () => {
    await expect(call('openLink', ['http://localhost:3001'])).resolves.toMatchObject({ ok: true });
    await expect(call('openLink', ['file:///etc/passwd'])).resolves.toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(fake.log).toContainEqual(['openExternal', 'http://localhost:3001/']);
    expect(fake.log.filter((l) => Array.isArray(l) && l[0] === 'openExternal')).toHaveLength(1);
  });

  it('hides the window on close (the tray keeps running) and reopens it on the create dialog', () => {
    const w = fake.FakeWindow.last!;
    let prevented = false;
    w.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(w.visible).toBe(false);
    fake.FakeTray.last!.menu.find((i) => i.label === 'Create instance…')!.click!();
    expect(w.visible).toBe(true);
    expect(fake.log).toContainEqual(['js', expect.stringContaining('"#create"')]);
  });
});
