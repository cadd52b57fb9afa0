// Volume snapshots in the dashboard (issue 14): the snapshot select of the Create dialog, and the Reset action
// of an instance card (restore a snapshot into its volumes, restart them, run the gate).
import { useEffect, useState } from 'react';
import type { SnapshotSummary } from '../../../main/shared/snapshot-types';
import type { InstanceView } from '../../../main/shared/views';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

function useSnapshots(enabled = true): SnapshotSummary[] | null {
  const api = useApi();
  const [list, setList] = useState<SnapshotSummary[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void api.invoke('snapshots').then((r) => live && setList(r.ok ? r.value : []));
    return () => {
      live = false;
    };
  }, [api, enabled]);
  return list;
}

/** Value: a snapshot name, null for "empty", undefined for "the repository's default". */
export function SnapshotSelect({
  value,
  onChange,
}: {
  value: string | null | undefined;
  onChange: (v: string | null | undefined) => void;
}) {
  const list = useSnapshots();
  if (!list || list.length === 0) return null; // nothing to choose from: create starts empty, as before
  const def = list.find((s) => s.isDefault);
  const selected = value === undefined ? '__default' : value === null ? '__empty' : value;
  return (
    <label className="field">
      <span>Data</span>
      <select
        data-testid="create-snapshot"
        value={selected}
        onChange={(e) => {
          const v = e.target.value;
          onChange(v === '__default' ? undefined : v === '__empty' ? null : v);
        }}
      >
        {def && <option value="__default">Default snapshot ({def.name})</option>}
        <option value="__empty">Empty database (migrate and seed on start)</option>
        {list.map((s) => (
          <option key={s.name} value={s.name}>
            Snapshot {s.name} · {s.source.instance} · {mb(s.sizeOnDisk)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Reset": choose a snapshot (the default preselected), then restore it into the instance and run the gate. */
export function ResetButton({ view, disabled }: { view: InstanceView; disabled: boolean }) {
  const api = useApi();
  const app = useApp();
  const [open, setOpen] = useState(false);
  const list = useSnapshots(open);
  const [choice, setChoice] = useState<string>('');
  const options = list ?? [];
  const current = choice || options.find((s) => s.isDefault)?.name || options[0]?.name || '';

  const reset = async () => {
    setOpen(false);
    const r = await app.run(`reset:${view.id}`, () => api.invoke('reset', view.id, { snapshot: current }));
    if (r.ok)
      app.toast({
        kind: 'success',
        title: `Reset ${view.id}`,
        message: `from snapshot ${r.value.restore.snapshot}, gate ${r.value.gate.passed ? 'passed' : 'FAILED'}`,
      });
  };

  return (
    <span className="snapshot-reset">
      <button
        type="button"
        data-testid="btn-reset"
        aria-label={`Reset ${view.id} to a snapshot`}
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
        title="Put the volumes back to a snapshot"
      >
        Reset
      </button>
      {open && (
        <span
          className="snapshot-reset-choice"
          data-testid="reset-choice"
          style={{ display: 'inline-flex', gap: 6, alignItems: 'center', marginLeft: 6 }}
        >
          {list === null ? (
            <span className="muted">Loading snapshots…</span>
          ) : options.length === 0 ? (
            <span className="muted">No snapshot yet: ktrdr-sandbox snapshot save NAME</span>
          ) : (
            <>
              <select data-testid="reset-snapshot" value={current} onChange={(e) => setChoice(e.target.value)}>
                {options.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                    {s.isDefault ? ' (default)' : ''}
                  </option>
                ))}
              </select>
              <button type="button" className="danger" data-testid="reset-confirm" onClick={reset}>
                Reset data
              </button>
            </>
          )}
          <button type="button" className="link-button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </span>
      )}
    </span>
  );
}
