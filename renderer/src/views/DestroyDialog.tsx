// Destroy: a confirmation showing the path and — before any click — what would be deleted and lost (the core's
// own risk check through `destroyPreview`): files that are someone's work (changed, untracked, ignored), what is
// removed as disposable, commits kept on the branch. With work at risk the button says "Destroy anyway"; the core
// still refuses dirty work (DIRTY_WORK) when the files appeared after the preview.
import { useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../main/shared/errors';
import type { DestroyPreview } from '../../../main/shared/results';
import type { InstanceView } from '../../../main/shared/views';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';
import { Dialog } from '../components/Dialog';

const MAX_LISTED = 12;

function RiskList({ preview }: { preview: DestroyPreview }) {
  const files = preview.atRisk;
  return (
    <div className="inline-error" data-testid="destroy-risk">
      <p>
        <strong>Work would be lost:</strong>
      </p>
      <ul className="mono" data-testid="destroy-risk-files">
        {files.slice(0, MAX_LISTED).map((f) => (
          <li key={f.path}>
            {f.path} <span className="muted">({f.kind})</span>
          </li>
        ))}
        {files.length > MAX_LISTED && <li className="muted">… {files.length - MAX_LISTED} more</li>}
        {preview.lostCommits > 0 && <li>{preview.lostCommits} commit(s) on a detached HEAD (on no branch)</li>}
      </ul>
    </div>
  );
}

export function DestroyDialog({ view, onClose }: { view: InstanceView; onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [working, setWorking] = useState(false);
  const [refusal, setRefusal] = useState<ErrorPayload | null>(null);
  const [preview, setPreview] = useState<DestroyPreview | null>(null);
  const [previewError, setPreviewError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    let live = true;
    void api.invoke('destroyPreview', view.id).then((r) => {
      if (!live) return;
      if (r.ok) setPreview(r.value);
      else setPreviewError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, view.id]);

  const destroy = async (force: boolean) => {
    setWorking(true);
    const r = await app.run(`destroy:${view.id}`, () => api.invoke('destroy', view.id, force ? { force: true } : {}), { quiet: true });
    setWorking(false);
    if (r.ok) {
      app.dismissProgress(view.id);
      const kept = r.value.keptCommits ? ` with ${r.value.keptCommits} unpushed commit(s)` : '';
      app.toast({
        kind: 'success',
        title: `Destroyed ${r.value.id}`,
        message: r.value.keptDirectory
          ? `Directory kept: ${r.value.path}`
          : r.value.branchKept
            ? `Branch ${r.value.branchKept} kept${kept}.`
            : undefined,
      });
      onClose();
    } else if (r.error.code === 'DIRTY_WORK') {
      app.dismissProgress(view.id); // the dialog shows the refusal; nothing happened to the instance
      setRefusal(r.error);
      const details = r.error.details as DestroyPreview[] | undefined;
      if (Array.isArray(details) && details[0]) setPreview(details[0]);
    } else {
      app.errorToast(`Could not destroy ${view.id}`, r.error);
    }
  };

  const deletes = preview ? preview.deletesDirectory : view.kind === 'worktree';
  const atRisk = !!refusal || !!preview?.refused;
  return (
    <Dialog title={`Destroy ${view.id}?`} onClose={onClose} testId="destroy-dialog">
      <div className="form">
        <p>
          This removes its containers, volumes (database data) and network, frees slot {view.slot}
          {deletes ? ', and deletes the directory' : '; the directory is kept'}
        </p>
        <p className="path-box mono" data-testid="destroy-path">
          {view.path}
        </p>
        <p className="muted" data-testid="destroy-what">
          {!preview
            ? previewError
              ? `Could not check for work in it: ${previewError.message}`
              : 'Checking for work that would be lost…'
            : preview.origin === 'init'
              ? `Registered with init: ${view.kind === 'clone' ? 'a clone' : 'your worktree'} is never deleted — only its Docker state and registry entry go.`
              : !preview.deletesDirectory
                ? 'The directory is already gone.'
                : `The worktree is removed through git; the branch ${view.branch ?? ''} is kept.`}
        </p>
        {preview?.keptCommits && (
          <p className="muted" data-testid="destroy-kept-commits">
            {preview.keptCommits.count} commit(s) on branch {preview.keptCommits.branch} are not in {preview.keptCommits.against}: they are
            kept with the branch.
          </p>
        )}
        {preview && preview.disposable.length > 0 && (
          <p className="muted" data-testid="destroy-disposable">
            Removed as disposable (recreated by a build or an install): {preview.disposable.slice(0, 6).join(', ')}
            {preview.disposable.length > 6 ? ', …' : ''}
          </p>
        )}
        {preview?.refused && <RiskList preview={preview} />}
        {refusal && (
          <div className="inline-error" data-testid="destroy-refusal">
            <pre>{refusal.message}</pre>
            <p className="muted">Nothing was touched. Commit or move these files, or use “Destroy anyway” to delete them.</p>
          </div>
        )}
        <footer className="dialog-actions">
          <button type="button" onClick={onClose} disabled={working}>
            Cancel
          </button>
          {atRisk ? (
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
