// Browser notifications for gate verdicts (passed / failed), like the desktop app's, for operations started
// from any surface: fired when an operation's live gate settles, once per operation run, only when the
// setting is on and the browser granted the permission. Electron shows its own (main/app/notifications.ts).
import { useEffect, useRef } from 'react';
import type { Api } from '../../../main/shared/contract';
import { gateVerdict, type ProgressState } from './progress-store';

export function notificationsAvailable(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Ask once, from a user gesture (the setting's checkbox). */
export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsAvailable()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

export function useGateNotifications(api: Api, progress: ProgressState, enabled: boolean): void {
  const seen = useRef(new Set<string>());
  useEffect(() => {
    if (api.transport !== 'http' || !enabled || !notificationsAvailable() || Notification.permission !== 'granted') return;
    for (const op of Object.values(progress)) {
      if (!op.gate) continue;
      const verdict = gateVerdict(op.gate);
      if (verdict === 'running') continue;
      const key = `${op.operation}@${op.gate.startedAt}`;
      if (seen.current.has(key)) continue;
      seen.current.add(key);
      const failed = op.gate.checks.filter((c) => c.state === 'failed').map((c) => c.label);
      try {
        new Notification(verdict === 'passed' ? `${op.target}: gate passed` : `${op.target}: gate FAILED`, {
          body: verdict === 'passed' ? 'Every check passed.' : `Failed: ${failed.join(', ')}`,
          tag: key,
        });
      } catch {
        // some browsers only allow notifications from a service worker: nothing to do
      }
    }
  }, [api, progress, enabled]);
}
