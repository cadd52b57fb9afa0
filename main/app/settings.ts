// Settings persisted for the desktop app (electron-store in platform.ts). Pure: reading tolerates a hand-edited
// or older file (unknown keys dropped, bad values replaced by defaults); `set` merges an already-validated patch
// (the setSettings handler validates user input) and notifies observers (tray checkbox, theme, login item).
import type { Settings } from '../shared/contract';
import type { SettingsStore } from '../ui-backend/types';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  repositoryRoot: null,
  theme: 'system',
  startAtLogin: false,
  notifications: true,
});

/** Whatever is on disk → a valid Settings object. */
export function normalizeSettings(raw: unknown): Settings {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    repositoryRoot:
      typeof o.repositoryRoot === 'string' && o.repositoryRoot.length > 0 ? o.repositoryRoot : DEFAULT_SETTINGS.repositoryRoot,
    theme: o.theme === 'light' || o.theme === 'dark' || o.theme === 'system' ? o.theme : DEFAULT_SETTINGS.theme,
    startAtLogin: typeof o.startAtLogin === 'boolean' ? o.startAtLogin : DEFAULT_SETTINGS.startAtLogin,
    notifications: typeof o.notifications === 'boolean' ? o.notifications : DEFAULT_SETTINGS.notifications,
  };
}

/** Where settings are kept: electron-store in the app, a plain object in tests. */
export interface SettingsBacking {
  read(): unknown;
  write(s: Settings): void;
}

export function createSettingsStore(backing: SettingsBacking, onChange?: (next: Settings, prev: Settings) => void): SettingsStore {
  return {
    get: () => normalizeSettings(backing.read()),
    set(patch) {
      const prev = normalizeSettings(backing.read());
      const next = normalizeSettings({ ...prev, ...patch });
      backing.write(next);
      onChange?.(next, prev);
      return next;
    },
  };
}
