// "Create instance": name with live validation, branch, slot picker (free / taken / blacklisted), progress.
import { useEffect, useState, type FormEvent } from 'react';
import type { CreateInput, NameCheck, SlotInfo } from '../../../main/shared/contract';
import type { ErrorPayload } from '../../../main/shared/errors';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';
import { Dialog } from '../components/Dialog';
import { GateView } from '../components/GateView';
import { SnapshotSelect } from '../components/SnapshotControls';

export function SlotPicker({
  slots,
  value,
  onChange,
}: {
  slots: SlotInfo[] | null;
  value: number | null;
  onChange: (s: number | null) => void;
}) {
  if (!slots) return <p className="muted">Loading slots…</p>;
  const lowestFree = slots.find((s) => s.slot > 0 && s.state === 'free');
  return (
    <div className="slot-picker" role="radiogroup" aria-label="Port slot" data-testid="slot-picker">
      <button
        type="button"
        role="radio"
        aria-checked={value === null}
        className={`slot slot-auto${value === null ? ' selected' : ''}`}
        data-testid="slot-option-auto"
        onClick={() => onChange(null)}
      >
        <span className="slot-number">Auto</span>
        <span className="slot-port">{lowestFree ? `slot ${lowestFree.slot}` : 'none free'}</span>
      </button>
      {slots.map((s) => {
        const title =
          s.state === 'taken'
            ? `Slot ${s.slot} is held by ${s.holder}`
            : s.state === 'blacklisted'
              ? `Slot ${s.slot} is blacklisted: ${s.reason ?? ''}`
              : `Slot ${s.slot}: API on port ${s.apiPort}`;
        return (
          <button
            key={s.slot}
            type="button"
            role="radio"
            aria-checked={value === s.slot}
            className={`slot slot-${s.state}${value === s.slot ? ' selected' : ''}`}
            data-testid={`slot-option-${s.slot}`}
            data-state={s.state}
            disabled={s.state !== 'free'}
            title={title}
            onClick={() => onChange(s.slot)}
          >
            <span className="slot-number">{s.slot}</span>
            <span className="slot-port">{s.state === 'free' ? `:${s.apiPort}` : s.state === 'taken' ? 'taken' : 'blocked'}</span>
          </button>
        );
      })}
    </div>
  );
}

export function CreateDialog({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [name, setName] = useState('');
  const [branch, setBranch] = useState('');
  const [slot, setSlot] = useState<number | null>(null);
  const [snapshot, setSnapshot] = useState<string | null | undefined>(undefined);
  const [overlay, setOverlay] = useState(false);
  const [slots, setSlots] = useState<SlotInfo[] | null>(null);
  const [check, setCheck] = useState<NameCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [startAfter, setStartAfter] = useState(false);
  const operation = `create:${name}`;
  const op = submitting || error ? app.progress[name] : undefined;

  useEffect(() => {
    void api.invoke('slots').then((r) => {
      if (r.ok) setSlots(r.value);
      else setError(r.error);
    });
  }, [api]);

  // Live validation, debounced; answers for an older name are ignored.
  useEffect(() => {
    if (!name) {
      setCheck(null);
      return;
    }
    setChecking(true);
    let live = true;
    const t = setTimeout(() => {
      void api.invoke('checkName', name).then((r) => {
        if (!live) return;
        setChecking(false);
        setCheck(r.ok ? r.value : { name, valid: false, message: r.error.message });
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, name]);

  // a branch checked out elsewhere (the main checkout's "main") needs another Branch below
  const branchBusy = !!check?.branchCheckedOutAt && !branch.trim();
  const valid = !!check && check.valid && check.name === name && !checking && !branchBusy;
  const effectiveBranch = branch.trim() || name;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || submitting) return;
    setSubmitting(true);
    setError(null);
    const input: CreateInput = { name };
    if (snapshot !== undefined) input.snapshot = snapshot;
    if (overlay) input.sharedOverlay = true; // unticked: the manifest decides
    if (branch.trim()) input.branch = branch.trim();
    if (slot !== null) input.slot = slot;
    const r = await app.run(operation, () => api.invoke('create', input), { quiet: true });
    setSubmitting(false);
    if (r.ok) {
      app.dismissProgress(name);
      app.toast({ kind: 'success', title: `Created ${r.value.id}`, message: `Slot ${r.value.slot} · ${r.value.path}` });
      onClose();
      if (startAfter) {
        const id = r.value.id;
        void app.run(`up:${id}`, () => api.invoke('up', id)).then((u) => u.ok && app.attachReport(`up:${id}`, u.value.gate));
      }
    } else {
      setError(r.error);
      void api.invoke('slots').then((s) => s.ok && setSlots(s.value)); // a failed probe may have blacklisted a slot
    }
  };

  return (
    <Dialog title="Create instance" onClose={onClose} testId="create-dialog" wide>
      <form onSubmit={submit} className="form">
        <p className="muted">
          A git worktree next to <span className="mono">{app.snapshot.repository ?? 'your repository'}</span> with its own port slot.
        </p>
        <label className="field">
          <span>Name</span>
          <input
            autoFocus
            data-testid="create-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="feat-login"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={!!check && (!check.valid || branchBusy)}
            aria-describedby="create-name-status"
          />
        </label>
        <div
          className={`validation ${!name ? '' : checking ? 'checking' : valid ? 'ok' : 'bad'}`}
          id="create-name-status"
          aria-live="polite"
          data-testid="create-name-status"
          data-valid={name && !checking && check ? String(check.valid && !branchBusy) : ''}
        >
          {!name ? (
            <span className="muted">Lowercase letters, digits, “_”, “-” (and “/” for branch-like names).</span>
          ) : checking || !check ? (
            <span className="muted">Checking…</span>
          ) : check.valid && branchBusy ? (
            <span className="bad">
              ✗ Branch <span className="mono">{name}</span> is checked out in <span className="mono">{check.branchCheckedOutAt}</span>: an
              instance needs a branch of its own — enter one under Branch.
            </span>
          ) : check.valid ? (
            <span>
              ✓ <span className="mono">{check.path}</span>
              <span className="muted">
                {' '}
                ·{' '}
                {check.branchExists && !branch.trim()
                  ? `existing branch ${name}`
                  : `branch ${effectiveBranch}${branch.trim() ? '' : ' (new, from HEAD)'}`}
              </span>
            </span>
          ) : (
            <span>✗ {check.message}</span>
          )}
        </div>
        <label className="field">
          <span>Branch</span>
          <input
            data-testid="create-branch"
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            placeholder={name || 'same as the name'}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <div className="field">
          <span>Port slot</span>
          <SlotPicker slots={slots} value={slot} onChange={setSlot} />
          <p className="muted small">
            Taken slots belong to other instances; blocked slots had a port held by another program (
            <span className="mono">ktrdr-sandbox slot unblock N</span>).
          </p>
        </div>
        <SnapshotSelect value={snapshot} onChange={setSnapshot} />
        <label className="check-field" title="Its writes to the shared data folders stay its own (local Linux engine)">
          <input type="checkbox" data-testid="create-overlay" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} />
          <span>Keep shared data read-only for this instance (overlay)</span>
        </label>
        <label className="check-field">
          <input type="checkbox" data-testid="create-start" checked={startAfter} onChange={(e) => setStartAfter(e.target.checked)} />
          <span>Start it after creating (compose up and the Startability Gate)</span>
        </label>
        {op && <GateView op={op} />}
        {error && !op?.error && (
          <div className="inline-error" data-testid="create-error">
            <pre>{error.message}</pre>
            {error.hint && <p className="muted">{error.hint}</p>}
          </div>
        )}
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="create-submit" disabled={!valid || submitting}>
            {submitting ? 'Creating…' : 'Create'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
