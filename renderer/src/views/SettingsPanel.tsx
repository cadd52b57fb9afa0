// Settings: repository root, theme, start at login (desktop app), notifications.
import { useState, type FormEvent } from 'react';
import type { Settings } from '../../../main/shared/contract';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';
import { Dialog } from '../components/Dialog';
import { askNotificationPermission, notificationsAvailable } from '../api/notify';

export function SettingsPanel({ settings, onClose }: { settings: Settings; onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [repo, setRepo] = useState(settings.repositoryRoot ?? '');
  const [theme, setTheme] = useState<Settings['theme']>(settings.theme);
  const [startAtLogin, setStartAtLogin] = useState(settings.startAtLogin);
  const [notifications, setNotifications] = useState(settings.notifications);
  const [saving, setSaving] = useState(false);
  const desktop = api.transport === 'electron';
  const [permission, setPermission] = useState<string>(() =>
    desktop ? 'granted' : notificationsAvailable() ? Notification.permission : 'unsupported',
  );
  const onNotifications = (on: boolean) => {
    setNotifications(on);
    // in a browser the permission is asked from this gesture (the checkbox), once
    if (on && !desktop) void askNotificationPermission().then(setPermission);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const patch: Partial<Settings> = { repositoryRoot: repo.trim() || null, theme, notifications };
    if (desktop) patch.startAtLogin = startAtLogin;
    const ok = await app.saveSettings(patch);
    setSaving(false);
    if (ok) onClose();
  };

  return (
    <Dialog title="Settings" onClose={onClose} testId="settings-panel">
      <form className="form" onSubmit={save}>
        <label className="field">
          <span>Repository</span>
          <input
            data-testid="settings-repo"
            value={repo}
            onChange={(e) => setRepo(e.target.value)}
            placeholder={app.snapshot.repository ?? '/path/to/your/checkout'}
            spellCheck={false}
          />
          <span className="muted small">
            The checkout new instances are created from.{' '}
            {!settings.repositoryRoot && app.snapshot.repository
              ? `Now: ${app.snapshot.repository} (where the dashboard was started).`
              : ''}
          </span>
        </label>
        <label className="field">
          <span>Theme</span>
          <select data-testid="settings-theme" value={theme} onChange={(e) => setTheme(e.target.value as Settings['theme'])}>
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <label className="check-field">
          <input
            type="checkbox"
            data-testid="settings-login"
            checked={startAtLogin}
            disabled={!desktop}
            onChange={(e) => setStartAtLogin(e.target.checked)}
          />
          <span>Start at login {!desktop && <span className="muted small">(desktop app only)</span>}</span>
        </label>
        <label className="check-field">
          <input
            type="checkbox"
            data-testid="settings-notifications"
            checked={notifications}
            onChange={(e) => onNotifications(e.target.checked)}
          />
          <span>
            Notify when a gate passes or fails{desktop ? ' and when a running instance’s container dies' : ''}{' '}
            {!desktop && notifications && permission !== 'granted' && (
              <span className="muted small" data-testid="notification-permission">
                (
                {permission === 'denied'
                  ? 'blocked by the browser: allow notifications for this page'
                  : permission === 'unsupported'
                    ? 'this browser has no notifications'
                    : 'the browser will ask'}
                )
              </span>
            )}
          </span>
        </label>
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="settings-save" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
