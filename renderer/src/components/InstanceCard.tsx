// One instance: status, identity, containers, links, last gate, actions, live progress and details.
import { useState } from 'react';
import type { InstanceView } from '../../../main/core/views';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';
import { ago, portOf, seconds } from '../format';
import { GateView } from './GateView';
import { InstanceDetails } from './InstanceDetails';
import { ResetButton } from './SnapshotControls';
import { StatusBadge } from './StatusBadge';

export function InstanceCard({ view, now }: { view: InstanceView; now: number }) {
  const api = useApi();
  const app = useApp();
  const [expanded, setExpanded] = useState(false);
  const busy = app.snapshot.busy[view.id];
  const engineUp = app.snapshot.engine.state === 'up';
  const op = app.progress[view.id];
  const active = view.status === 'running' || view.status === 'partial';
  const disabled = !!busy || !engineUp;
  const g = view.lastGate;

  const up = () => app.run(`up:${view.id}`, () => api.invoke('up', view.id));
  const down = () => app.run(`down:${view.id}`, () => api.invoke('down', view.id));
  const restart = () => app.run(`restart:${view.id}`, () => api.invoke('restart', view.id));
  const gate = () => app.run(`gate:${view.id}`, () => api.invoke('gate', view.id));
  const folder = async () => {
    const r = await api.invoke('openFolder', view.id);
    if (!r.ok) app.errorToast('Could not open the folder', r.error);
  };
  const terminal = async () => {
    const r = await api.invoke('openTerminal', view.id);
    if (!r.ok) app.errorToast('Could not open a terminal', r.error);
  };
  const copyEnv = async () => {
    const r = await api.invoke('copyEnv', view.id);
    if (!r.ok) return app.errorToast('Could not read the environment', r.error);
    let copied = api.transport === 'electron';
    if (!copied) {
      try {
        await navigator.clipboard.writeText(r.value);
        copied = true;
      } catch {
        copied = false;
      }
    }
    app.toast(copied ? { kind: 'success', title: 'Environment copied', message: `${r.value.trim().split('\n').length} variables of ${view.id}` } : { kind: 'info', title: `Environment of ${view.id}`, message: r.value });
  };

  return (
    <article className={`card status-${view.status}${busy ? ' is-busy' : ''}`} data-testid={`instance-${view.id}`} data-status={view.status}>
      <div className="card-head">
        <StatusBadge view={view} busy={busy} engineUp={engineUp} />
        <div className="identity">
          {/* elementtiming: when the cards are painted, for the dashboard benchmark (Element Timing API) */}
          <h2 className="instance-name" {...{ elementtiming: 'instance-name' }}>
            {view.id}
          </h2>
          <div className="meta">
            <span data-testid="branch" title="branch">
              ⎇ {view.branch ?? 'detached'}
            </span>
            <span data-testid="slot">slot {view.slot}</span>
            <span data-testid="containers-count" data-healthy={view.containers.healthy} data-total={view.containers.total} className={view.containers.healthy < view.containers.total && active ? 'warn' : ''}>
              {view.containers.healthy}/{view.containers.total} healthy
            </span>
            <span className="muted" title={view.createdAt}>
              created {ago(view.createdAt, now)}
            </span>
          </div>
        </div>
        <div className="actions">
          <button type="button" className="primary" data-testid="btn-start" disabled={disabled || !view.dirExists || view.status === 'running'} onClick={up}>
            Start
          </button>
          <button type="button" data-testid="btn-stop" disabled={disabled || !active} onClick={down}>
            Stop
          </button>
          <button type="button" data-testid="btn-restart" disabled={disabled || !active} onClick={restart}>
            Restart
          </button>
          <button type="button" data-testid="btn-logs" disabled={!active} onClick={() => app.openLogs(view.id)}>
            Logs
          </button>
          <ResetButton view={view} disabled={disabled || !view.dirExists} />
          <button type="button" className="danger" data-testid="btn-destroy" disabled={!!busy} onClick={() => app.openDestroy(view)}>
            Destroy
          </button>
        </div>
      </div>

      <nav className="links" aria-label={`Links of ${view.id}`}>
        {view.links.map((l) => (
          <a key={l.name} data-testid={`link-${l.name}`} href={l.url} target="_blank" rel="noreferrer" className={active ? '' : 'inactive'} title={l.url}>
            {l.label}
            <span className="port">:{portOf(l.url)}</span>
          </a>
        ))}
      </nav>

      <div className="gate-line">
        <span data-testid="last-gate" data-passed={g ? String(g.passed) : ''}>
          {g ? (
            <>
              Last gate{' '}
              <span className={`pill pill-${g.passed ? 'passed' : 'failed'}`}>{g.passed ? `✓ PASSED ${seconds(g.elapsedMs)}` : `✗ FAILED`}</span>{' '}
              {!g.passed && g.failed.length > 0 && <span className="failed-list">{g.failed.join(', ')}</span>} <span className="muted">{ago(g.at, now)}</span>
            </>
          ) : (
            <span className="muted">Gate not run yet</span>
          )}
        </span>
        <span className="spacer" />
        <button type="button" className="link-button" data-testid="btn-gate" disabled={disabled || !active} onClick={gate}>
          Run gate
        </button>
        <button type="button" className="link-button" data-testid="btn-folder" onClick={folder} disabled={!view.dirExists}>
          Folder
        </button>
        <button type="button" className="link-button" data-testid="btn-terminal" onClick={terminal} disabled={!view.dirExists}>
          Terminal
        </button>
        <button type="button" className="link-button" data-testid="btn-copy-env" onClick={copyEnv}>
          Copy env
        </button>
        <button type="button" className="link-button" data-testid="btn-details" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
          {expanded ? 'Hide details ▴' : 'Details ▾'}
        </button>
      </div>

      {op && <GateView op={op} onDismiss={() => app.dismissProgress(view.id)} />}
      {expanded && <InstanceDetails id={view.id} now={now} revision={`${view.status}|${view.containers.healthy}|${view.containers.running}|${g?.at ?? ''}|${busy ?? ''}`} />}
    </article>
  );
}
