// Destroy: confirmation showing the path; the core refuses dirty work (DIRTY_WORK) — then "Destroy anyway".
import { useState } from 'react';
import type { ErrorPayload } from '../../../main/core/errors';
import type { InstanceView } from '../../../main/core/views';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';
import { Dialog } from '../components/Dialog';

export function DestroyDialog({ view, onClose }: { view: InstanceView; onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [working, setWorking] = useState(false);
  const [refusal, setRefusal] = useState<ErrorPayload | null>(null);

  const destroy = async (force: boolean) => {
    setWorking(true);
    const r = await app.run(`destroy:${view.id}`, () => api.invoke('destroy', view.id, force ? { force: true } : {}), { quiet: true });
    setWorking(false);
    if (r.ok) {
      app.dismissProgress(view.id);
      app.toast({
        kind: 'success',
        title: `Destroyed ${r.value.id}`,
        message: r.value.branchKept ? `Branch ${r.value.branchKept} kept.` : r.value.keptDirectory ? `Directory kept: ${r.value.path}` : undefined,
      });
      onClose();
    } else if (r.error.code === 'DIRTY_WORK') {
      app.dismissProgress(view.id); // the dialog shows the refusal; nothing happened to the instance
      setRefusal(r.error);
    } else {
      app.errorToast(`Could not destroy ${view.id}`, r.error);
    }
  };

  return (
    <Dialog title={`Destroy ${view.id}?`} onClose={onClose} testId="destroy-dialog">
      <div className="form">
        <p>This removes its containers, volumes (database data) and network, frees slot {view.slot}, and deletes the directory</p>
        <p className="path-box mono" data-testid="destroy-path">
          {view.path}
        </p>
        <p className="muted">
          {view.kind === 'worktree' ? `The worktree is removed through git; the branch ${view.branch ?? ''} is kept.` : 'A clone registered with init is never deleted: only its Docker state and registry entry go.'}
        </p>
        {refusal && (
          <div className="inline-error" data-testid="destroy-refusal">
            <pre>{refusal.message}</pre>
            {refusal.hint && <p className="muted">{refusal.hint}</p>}
          </div>
        )}
        <footer className="dialog-actions">
          <button type="button" onClick={onClose} disabled={working}>
            Cancel
          </button>
          {refusal ? (
            <button type="button" className="danger solid" data-testid="destroy-force" disabled={working} onClick={() => destroy(true)}>
              {working ? 'Destroying…' : 'Destroy anyway (lose the work)'}
            </button>
          ) : (
            <button type="button" className="danger solid" data-testid="destroy-confirm" disabled={working} onClick={() => destroy(false)}>
              {working ? 'Destroying…' : 'Destroy'}
            </button>
          )}
        </footer>
      </div>
    </Dialog>
  );
}
