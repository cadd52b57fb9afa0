// The instance details' shared data (issue 14, item 4): per shared folder of the manifest, whether the instance
// writes into it ("shared (read-write)") or sees it through its own overlay (what it wrote there), the "Reset
// shared writes" action (`shared reset`, after a confirmation) and the switch of its own choice (`shared overlay
// on|off`, applied by its next start). The figures and the words are the CLI's (`sharedData`,
// main/shared/shared-folder-lines.ts) — a choice its running containers do not see yet included.
import { useState } from 'react';
import type { SharedFolderState } from '../../../main/shared/results';
import { pendingChange, sharedFolderLine } from '../../../main/shared/shared-folder-lines';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';

export function SharedData({ id, folders, onChanged }: { id: string; folders: SharedFolderState[]; onChanged: () => void }) {
  const api = useApi();
  const app = useApp();
  const [confirming, setConfirming] = useState(false);
  // its containers mount a folder otherwise than its choice says (changed since they started)
  const pending = folders.some((f) => pendingChange(f) !== null);
  const busy = Boolean(app.snapshot.busy[id]);
  const droppable = folders.filter((f) => f.files > 0);
  const overlaid = folders.some((f) => f.mode === 'overlay');
  const status = app.snapshot.instances.find((v) => v.id === id)?.status;
  const running = status !== undefined && status !== 'stopped' && status !== 'missing';

  const reset = async () => {
    setConfirming(false);
    const r = await app.run(`shared-reset:${id}`, () => api.invoke('sharedReset', id));
    if (r.ok) {
      const n = r.value.reset.reduce((sum, f) => sum + f.files, 0);
      app.toast({
        kind: 'success',
        title: `Shared writes of ${id} dropped`,
        message: `${n} file${n === 1 ? '' : 's'}; the shared folders never changed`,
      });
      onChanged();
    }
  };
  const toggle = async () => {
    const r = await app.run(`shared-overlay:${id}`, () => api.invoke('sharedOverlay', id, { on: !overlaid }));
    if (r.ok) {
      const how = r.value.choice ? `${r.value.folders.join(', ')} through its own overlay` : 'shared folders read-write';
      app.toast({
        kind: 'info',
        title: `${id}: ${how}`,
        message: r.value.running ? 'Restart it to apply it.' : 'From its next start.',
      });
      onChanged();
    }
  };

  return (
    <>
      <h3>Shared data</h3>
      <ul className="checks" data-testid="shared-data">
        {folders.map((f) => (
          <li
            key={f.folder}
            className="check"
            data-testid={`shared-folder-${f.folder}`}
            data-mode={f.mode}
            title={f.mode === 'overlay' ? f.upper : f.lower}
          >
            <span className="check-label mono">{f.folder}</span>
            <span className="muted">{sharedFolderLine(f)}</span>
          </li>
        ))}
      </ul>
      {pending && (
        <p className="muted small" data-testid="shared-pending">
          Its running containers keep their mounts until it restarts (Restart).
        </p>
      )}
      <p className="shared-actions">
        {droppable.length > 0 &&
          (confirming ? (
            <span data-testid="shared-reset-confirm-row">
              Drop what {id} wrote to {droppable.map((f) => f.folder).join(', ')}? {running ? 'Its services using them restart. ' : ''}
              <button type="button" className="danger" data-testid="shared-reset-confirm" onClick={reset}>
                Drop shared writes
              </button>{' '}
              <button type="button" className="link-button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" data-testid="btn-shared-reset" disabled={busy} onClick={() => setConfirming(true)}>
              Reset shared writes
            </button>
          ))}{' '}
        {!confirming && (
          <button
            type="button"
            className="link-button"
            data-testid="btn-shared-overlay"
            disabled={busy}
            onClick={toggle}
            title="This instance's own choice, applied by its next start"
          >
            {overlaid ? 'Share read-write from the next start' : 'Keep read-only (overlay) from the next start'}
          </button>
        )}
      </p>
    </>
  );
}
