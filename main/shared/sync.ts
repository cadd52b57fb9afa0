// The source sync of an instance on a remote engine while it runs (issue 13): the background watcher's state, as
// `status`, `list --json` and the dashboard show it, and its one-line rendering. Node-free: the renderer uses it.
import { relativeTime } from './format';

/** What the watcher of one instance is doing (the file <sandbox home>/sync/<id>.json). */
export interface SyncState {
  /** The instance id. */
  id: string;
  /** The watcher's process (a detached `ktrdr-sandbox sync ID --watch`). */
  pid: number;
  /** watching: idle, the remote copy current · syncing: an rsync running · failed: the last sync failed (it retries on the next change) · stopped: it ended (reason in `error`) */
  state: 'watching' | 'syncing' | 'failed' | 'stopped';
  /** ISO time it started watching. */
  startedAt: string;
  /** ISO time of the last successful sync, and what it sent. */
  lastSyncAt?: string;
  lastFiles?: number;
  lastMs?: number;
  /** Successful syncs since it started. */
  syncs: number;
  /** The last failure, one line (state `failed`), or why it stopped. */
  error?: string;
  /** Times it brought a dropped ssh connection (and the slot's forwarded ports) back, and when it last did. */
  reconnects?: number;
  lastReconnectAt?: string;
  /** Whether the watcher process still runs (filled in by the reader, not stored). */
  alive?: boolean;
}

/** "sync: watching, last sync 3s ago, 2 files" · "sync failed: rsync … (retries on the next change)" · "sync: stopped (…)" */
export function syncSummary(s: SyncState, now: number): string {
  if (s.alive === false || s.state === 'stopped') return `sync: stopped${s.error ? ` (${s.error})` : ''}`;
  if (s.state === 'failed') return `sync failed: ${s.error ?? 'unknown error'} (retried on the next change)`;
  const last = s.lastSyncAt
    ? `last sync ${relativeTime(s.lastSyncAt, now)}, ${s.lastFiles ?? 0} file${s.lastFiles === 1 ? '' : 's'}`
    : 'no change synced yet';
  return `sync: ${s.state === 'syncing' ? 'syncing' : 'watching'}, ${last}`;
}
