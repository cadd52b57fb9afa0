// A remote instance's source sync on its card (issue 13): "sync: watching, last sync 3s ago, 2 files", or
// "sync failed: …" in the warning colour. Nothing for an instance without a watcher.
import { syncSummary } from '../../../main/shared/sync';
import type { InstanceView } from '../../../main/shared/views';

export function SyncStatus({ view, now }: { view: InstanceView; now: number }) {
  const s = view.sync;
  if (!s) return null;
  const state = s.alive === false ? 'stopped' : s.state;
  return (
    <span
      className={state === 'failed' ? 'warn' : 'muted'}
      data-testid="sync-status"
      data-state={state}
      title={`sync watcher pid ${s.pid}`}
    >
      {syncSummary(s, now)}
    </span>
  );
}
