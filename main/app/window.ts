// The dashboard window: created on first use, hidden (not destroyed) on close so the tray keeps running, with the
// dock icon shown only while it is open on macOS. Locked down: context isolation, no Node, sandboxed renderer,
// web security on, the preload exposing only the contract.
import { app, BrowserWindow, nativeTheme, type WebContents } from 'electron';

export interface WindowControllerOptions {
  /** Absolute path of the bundled preload (out/preload/index.cjs). */
  preload: string;
  /** The page: the Vite dev server URL in dev, the file:// URL of out/renderer/index.html otherwise. */
  appUrl: string;
  icon?: string;
  platform: NodeJS.Platform;
  devTools: boolean;
}

export interface WindowController {
  /** Show (creating it if needed) and focus; `hash` e.g. "create" asks the renderer to open that view. */
  show(opts?: { hash?: string }): void;
  hide(): void;
  isVisible(): boolean;
  /** Live webContents, for pushing events. */
  contents(): WebContents[];
  /** From before-quit: let the window really close. */
  allowClose(): void;
}

/** Script run in the page to (re)trigger a hash route even when the hash is already set. */
export function hashScript(hash: string): string {
  const h = JSON.stringify(`#${hash.replace(/^#/, '')}`);
  return `(function (h) { if (location.hash === h) { location.hash = ''; } location.hash = h; })(${h});`;
}

export function createWindowController(opts: WindowControllerOptions): WindowController {
  let win: BrowserWindow | null = null;
  let quitting = false;
  const mac = opts.platform === 'darwin';

  const syncDock = (visible: boolean): void => {
    if (!mac || !app.dock) return;
    if (visible) void app.dock.show();
    else app.dock.hide();
  };

  function create(hash?: string): BrowserWindow {
    const w = new BrowserWindow({
      // a tray popover first (the layout is built for 400 px and up); wider when the user makes it so
      width: 420,
      height: 720,
      minWidth: 360,
      minHeight: 420,
      show: false,
      title: 'KTRDR Sandbox',
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#0d1117' : '#ffffff',
      autoHideMenuBar: true,
      ...(opts.icon && !mac ? { icon: opts.icon } : {}),
      webPreferences: {
        preload: opts.preload,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        sandbox: true,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        devTools: opts.devTools,
      },
    });
    if (!mac) w.setMenu(null);
    w.once('ready-to-show', () => {
      w.show();
      w.focus();
    });
    w.on('show', () => syncDock(true));
    w.on('hide', () => syncDock(false));
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault(); // closing hides: the tray keeps running
      w.hide();
    });
    w.on('closed', () => {
      win = null;
      syncDock(false);
    });
    const url = hash ? `${opts.appUrl.split('#')[0]}#${hash.replace(/^#/, '')}` : opts.appUrl;
    void w.loadURL(url);
    return w;
  }

  return {
    show(o = {}) {
      if (!win || win.isDestroyed()) {
        win = create(o.hash);
        return;
      }
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      if (o.hash) void win.webContents.executeJavaScript(hashScript(o.hash)).catch(() => undefined);
    },
    hide() {
      win?.hide();
    },
    isVisible() {
      return Boolean(win && !win.isDestroyed() && win.isVisible());
    },
    contents() {
      return win && !win.isDestroyed() ? [win.webContents] : [];
    },
    allowClose() {
      quitting = true;
    },
  };
}
