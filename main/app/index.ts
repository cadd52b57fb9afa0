// Electron main: the app lifecycle and the wiring of the shared services — nothing else. The same core,
// state service and handlers serve the CLI's dashboard server; here they are reached through IPC and the tray.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, ipcMain, nativeTheme, Notification, session, shell } from 'electron';
import { createDeps } from '../adapters/index';
import { createSurfaceLog, defaultLogDir } from '../adapters/surface-log';
import type { Snapshot } from '../shared/contract';
import { createDispatch, createHandlers } from '../ui-backend/handlers';
import { createStateService } from '../ui-backend/state-service';
import { relayProgress } from '../ui-backend/progress-relay';
import { createIpcEventSender, registerIpc } from './ipc';
import { createNotifier, type DesktopNotification } from './notifications';
import { createElectronPlatform, launchedAtLogin } from './platform';
import { contentSecurityPolicy, hardenSession, hardenWebContents, isAllowedNavigation, isHttpUrl } from './security';
import { createTrayController, type TrayController } from './tray';
import { invokeStep, trayStep } from './tray-actions';
import type { TrayAction } from './tray-menu';
import { createWindowController } from './window';

const APP_ID = 'dev.ktrdr.sandbox';
const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appUrl = devServerUrl ?? pathToFileURL(path.join(here, '../renderer/index.html')).toString();
const iconsDir = app.isPackaged ? path.join(process.resourcesPath, 'icons') : path.join(app.getAppPath(), 'build', 'icons');

const openExternal = (url: string): void => {
  if (isHttpUrl(url)) void shell.openExternal(url).catch(() => undefined);
};

/** Set once the window controller exists; a second launch before that has nothing to show yet. */
let showWindow: () => void = () => undefined;

function notify(n: Pick<DesktopNotification, 'title' | 'body'>): void {
  if (Notification.isSupported()) new Notification({ title: n.title, body: n.body }).show();
}

async function main(): Promise<void> {
  await app.whenReady();
  if (process.platform === 'darwin') app.dock?.hide(); // agent-style: the dock icon appears only with the window

  hardenSession(session.defaultSession, contentSecurityPolicy({ devServerUrl }));

  let tray: TrayController | null = null;
  const platform = createElectronPlatform({
    onSettingsChange: (next, prev) => {
      if (next.theme !== prev.theme) nativeTheme.themeSource = next.theme;
      tray?.update(state.current()); // the "Start at login" checkbox
    },
  });
  nativeTheme.themeSource = platform.settings.get().theme;

  const log = createSurfaceLog({ dir: defaultLogDir(), name: 'tray' });
  log.info(`tray app started (Electron ${process.versions.electron})`);
  process.on('uncaughtException', (err) => log.error('uncaught exception', err));
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', err));
  const deps = createDeps();
  const state = createStateService(deps, { repository: () => platform.settings.get().repositoryRoot, log });
  const windows = createWindowController({
    preload: path.join(here, '../preload/index.cjs'),
    appUrl,
    icon: path.join(iconsDir, '256x256.png'),
    platform: process.platform,
    devTools: !app.isPackaged,
  });
  const send = createIpcEventSender(() => windows.contents());
  const handlers = createHandlers({
    deps: state.deps, // counted: the benchmarks see every engine request the app makes
    state,
    platform,
    emitProgress: (operation, e) => send('progress', { ...e, operation }),
    emitLog: (e) => send('log', e),
  });
  const dispatch = createDispatch(handlers, log);
  // a CLI `up` / `gate` elsewhere: its progress file, shown live in the window like our own operations
  const stopRelay = relayProgress(deps.home, (operation, e) => send('progress', { ...e, operation }));
  const disposeIpc = registerIpc(ipcMain, dispatch, { isTrustedSender: (url) => isAllowedNavigation(url, appUrl) });

  const runAction = async (a: TrayAction): Promise<void> => {
    const step = trayStep(a, platform.settings.get());
    if (step.type === 'quit') app.quit();
    else if (step.type === 'window') windows.show(step.hash ? { hash: step.hash } : {});
    else {
      const res = await invokeStep(dispatch, step);
      if (!res.ok) notify({ title: step.failure, body: res.error.hint ? `${res.error.message}\n${res.error.hint}` : res.error.message });
      else if (step.success) notify({ title: step.success, body: 'Paste it into a shell to use this instance.' });
    }
  };

  const notifier = createNotifier({ enabled: () => platform.settings.get().notifications, show: notify });
  tray = createTrayController(
    {
      iconDir: path.join(iconsDir, 'tray'),
      platform: process.platform,
      startAtLogin: () => platform.settings.get().startAtLogin,
      onAction: (a) => void runAction(a),
    },
    state.current(),
  );
  const onSnapshot = (s: Snapshot): void => {
    send('state', s);
    tray?.update(s);
    notifier.update(s);
  };
  state.onChange(onSnapshot);

  showWindow = () => windows.show();
  app.on('activate', () => windows.show()); // macOS: clicking the app in Finder/Launchpad while it runs
  app.on('before-quit', () => {
    windows.allowClose();
    disposeIpc();
    stopRelay();
    handlers.stopAllLogs();
    tray?.destroy();
    tray = null;
    void state.stop().catch(() => undefined);
  });

  if (!launchedAtLogin()) windows.show();
  try {
    await state.start(); // engine down is a state ("Docker not running — retrying"), not an error
  } catch (err) {
    console.error('[ktrdr-sandbox] state service failed to start:', err);
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit(); // another copy runs: it got our 'second-instance' and shows its window
} else {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  app.on('second-instance', () => showWindow());
  // Every webContents (the window, devtools, anything else): no navigation away, no new windows, no webviews.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { appUrl, openExternal }));
  // The tray keeps running with no window: never quit because the last window closed.
  app.on('window-all-closed', () => undefined);
  main().catch((err: unknown) => {
    console.error('[ktrdr-sandbox] failed to start:', err);
    app.exit(1);
  });
}
