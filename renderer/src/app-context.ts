// What every view needs besides the Api: the snapshot, operations and their progress, toasts, panels.
import { createContext, useContext } from 'react';
import type { Settings, Snapshot } from '../../main/shared/contract';
import type { ErrorPayload } from '../../main/shared/errors';
import type { InstanceView } from '../../main/shared/views';
import type { GateReport } from '../../main/shared/types';
import type { LogStore } from './api/log-store';
import type { ProgressState } from './api/progress-store';

export interface Toast {
  id: number;
  kind: 'error' | 'success' | 'info';
  title: string;
  message?: string;
  hint?: string;
  /** One button in the toast (e.g. "Copy the path" when nothing could be opened). */
  action?: { label: string; run: () => void | Promise<void> };
}

export interface AppState {
  snapshot: Snapshot;
  settings: Settings | null;
  progress: ProgressState;
  logs: LogStore;
  /** Run an operation: progress is recorded under `operation`, failures become error toasts. */
  run<T>(
    operation: string,
    call: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorPayload }>,
    opts?: { quiet?: boolean },
  ): Promise<{ ok: true; value: T } | { ok: false; error: ErrorPayload }>;
  dismissProgress(target: string): void;
  /** Keep an operation's gate report with its progress (the card shows why a gate failed). */
  attachReport(operation: string, report: GateReport | null): void;
  toast(t: Omit<Toast, 'id'>): void;
  errorToast(title: string, e: ErrorPayload): void;
  openCreate(): void;
  openDestroy(view: InstanceView): void;
  openLogs(id: string, service?: string): void;
  openSettings(): void;
  saveSettings(patch: Partial<Settings>): Promise<boolean>;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside <AppContext.Provider>');
  return s;
}
