// The tray: renders the pure menu specs (tray-menu.ts) into Electron menus and keeps icon, title and tooltip in step
// with the snapshot. setContextMenu is called again on every change (Linux's StatusNotifierItem only picks up a
// new menu that way). Clicks are handed back as TrayAction data; index.ts routes them to the shared dispatch.
import path from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { Snapshot } from '../shared/contract';
import { menuFor, trayIconFor, trayTitleFor, trayTooltipFor, type MenuItemSpec, type TrayAction, type TrayIconState } from './tray-menu';

/**
 * Icon file of a state. macOS: a template image (black + alpha, the OS tints it; "@2x" is picked up beside it).
 * Elsewhere the light/dark variant: Windows follows the theme; Linux panels are dark on most desktops (GNOME's
 * top bar is dark even in light mode), so Linux uses the dark variant unless told otherwise.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform, darkTheme: boolean): string {
  if (platform === 'darwin') return `tray-${state}Template.png`;
  const dark = platform === 'linux' ? true : darkTheme;
  return `tray-${state}-${dark ? 'dark' : 'light'}.png`;
}

/** Menu specs → Electron menu template; each click calls onAction with the item's action. */
export function toMenuTemplate(specs: MenuItemSpec[], onAction: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return specs.map((s): MenuItemConstructorOptions => {
    if (s.type === 'separator') return { type: 'separator' };
    const base: MenuItemConstructorOptions = { label: s.label ?? '', enabled: s.enabled };
    if (s.type === 'submenu') return { ...base, type: 'submenu', submenu: toMenuTemplate(s.submenu ?? [], onAction) };
    const action = s.action;
    const click = action ? () => onAction(action) : undefined;
    if (s.type === 'checkbox') return { ...base, type: 'checkbox', checked: Boolean(s.checked), ...(click ? { click } : {}) };
    return { ...base, type: 'normal', ...(click ? { click } : {}) };
  });
}

export interface TrayControllerOptions {
  /** Directory holding the tray-*.png files. */
  iconDir: string;
  platform: NodeJS.Platform;
  startAtLogin(): boolean;
  onAction(a: TrayAction): void;
}

export interface TrayController {
  update(s: Snapshot): void;
  destroy(): void;
}

export function createTrayController(opts: TrayControllerOptions, initial: Snapshot): TrayController {
  const images = new Map<string, NativeImage>();
  const image = (file: string): NativeImage => {
    let img = images.get(file);
    if (!img) {
      img = nativeImage.createFromPath(path.join(opts.iconDir, file));
      if (opts.platform === 'darwin') img.setTemplateImage(true);
      images.set(file, img);
    }
    return img;
  };
  const iconFile = (s: Snapshot): string => trayIconFile(trayIconFor(s), opts.platform, nativeTheme.shouldUseDarkColors);

  let current = initial;
  let lastIcon = iconFile(initial);
  let lastMenu = '';
  let lastTitle = '';
  let lastTooltip = '';
  const tray = new Tray(image(lastIcon));

  function render(s: Snapshot): void {
    current = s;
    const icon = iconFile(s);
    if (icon !== lastIcon) {
      tray.setImage(image(icon));
      lastIcon = icon;
    }
    const specs = menuFor(s, { startAtLogin: opts.startAtLogin(), platform: opts.platform });
    const key = JSON.stringify(specs);
    if (key !== lastMenu) {
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(specs, opts.onAction)));
      lastMenu = key;
    }
    const tooltip = trayTooltipFor(s);
    if (tooltip !== lastTooltip) {
      tray.setToolTip(tooltip);
      lastTooltip = tooltip;
    }
    if (opts.platform === 'darwin') {
      const title = trayTitleFor(s);
      if (title !== lastTitle) {
        tray.setTitle(title, { fontType: 'monospacedDigit' });
        lastTitle = title;
      }
    }
  }

  // Windows: a left click opens the dashboard (the menu is on right click). macOS shows the menu on click.
  if (opts.platform === 'win32') tray.on('click', () => opts.onAction({ kind: 'openDashboard' }));
  const onTheme = (): void => render(current);
  nativeTheme.on('updated', onTheme);
  render(initial);

  return {
    update: render,
    destroy() {
      nativeTheme.removeListener('updated', onTheme);
      tray.destroy();
    },
  };
}
