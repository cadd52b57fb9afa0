// One instance: status, identity, containers, links, last gate, actions, live progress and details. Every
// control names its instance for screen readers ("Stop ktrdr--x"). On a narrow card (the tray-size window)
// the secondary actions move into the "⋯" menu; on a wide one they are all visible.
import { useState } from 'react';
import { engineUnreachable, type InstanceView } from '../../../main/shared/views';
import { useApp } from '../app-context';
import { ago, seconds } from '../format';
import { useInstanceActions } from './card-actions';
import { EngineBadge, EngineUnreachable, FitBar, MemoryBar } from './EngineAndMemory';
import { SyncStatus } from './SyncStatus';
import { GateView } from './GateView';
import { InstanceDetails } from './InstanceDetails';
import { LinkChips } from './LinkChips';
import { Menu } from './Menu';
import { ResetButton } from './SnapshotControls';
import { StatusBadge } from './StatusBadge';

export function InstanceCard({ view, now }: { view: InstanceView; now: number }) {
  const app = useApp();
  const a = useInstanceActions(view);
  const [expanded, setExpanded] = useState(false);
  const busy = app.snapshot.busy[view.id];
  const engineUp = app.snapshot.engine.state === 'up';
  const op = app.progress[view.id];
  const active = view.status === 'running' || view.status === 'partial';
  const engineDown = engineUnreachable(view);
  const disabled = !!busy || !engineUp || engineDown;
  const g = view.lastGate;
  const name = view.id;
  const can = {
    start: !disabled && view.dirExists && view.status !== 'running',
    stop: !disabled && active,
    // containers exist (running, or exited ones whose logs say why)
    logs: active || (view.servicesDown?.length ?? 0) > 0,
  };
  // one gate at a time: with the details open, a finished run's gate is shown there (with why it failed);
  // while a gate runs, the live one stays and the details leave out the previous one
  const showOp = !!op && !(expanded && op.finished && (op.gate || op.report));
  const liveGate = !!op?.gate && !op.finished;

  return (
    <article
      className={`card status-${view.status}${busy ? ' is-busy' : ''}${engineDown ? ' engine-down' : ''}`}
      data-testid={`instance-${view.id}`}
      data-status={view.status}
      aria-labelledby={`name-${view.id}`}
    >
      <div className="card-head">
        <StatusBadge view={view} busy={busy} engineUp={engineUp} />
        <div className="identity">
          {/* elementtiming: when the cards are painted, for the dashboard benchmark (Element Timing API) */}
          <h2 className="instance-name" id={`name-${view.id}`} {...{ elementtiming: 'instance-name' }}>
            {view.id}
          </h2>
          <div className="meta">
            <span data-testid="branch" title="branch">
              ⎇ {view.branch ?? 'detached'}
            </span>
            <EngineBadge view={view} />
            <span data-testid="slot">slot {view.slot}</span>
            {view.sharedOverlay && (
              <span
                data-testid="overlay-tag"
                title="This instance sees the shared data through a writable overlay of its own (from its next start)"
              >
                shared data: overlay{Array.isArray(view.sharedOverlay) ? ` (${view.sharedOverlay.join(', ')})` : ''}
              </span>
            )}
            {/* counted only where the containers can be seen (no engine answering: the badge says unknown) */}
            {engineUp && !engineDown && (
              <span
                data-testid="containers-count"
                data-healthy={view.containers.healthy}
                data-total={view.containers.total}
                className={view.containers.healthy < view.containers.total && active ? 'warn' : ''}
              >
                {view.containers.healthy}/{view.containers.total} healthy
              </span>
            )}
            <MemoryBar view={view} />
            <FitBar view={view} />
            <SyncStatus view={view} now={now} />
            <span className="muted" title={view.createdAt}>
              created {ago(view.createdAt, now)}
            </span>
          </div>
        </div>
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="btn-start"
            aria-label={`Start ${name}`}
            disabled={!can.start}
            onClick={a.up}
          >
            Start
          </button>
          <button type="button" data-testid="btn-stop" aria-label={`Stop ${name}`} disabled={!can.stop} onClick={a.down}>
            Stop
          </button>
          <button
            type="button"
            className="wide-action"
            data-testid="btn-restart"
            aria-label={`Restart ${name}`}
            disabled={!can.stop}
            onClick={a.restart}
          >
            Restart
          </button>
          <button
            type="button"
            data-testid="btn-logs"
            aria-label={`Logs of ${name}`}
            disabled={!can.logs}
            onClick={() => app.openLogs(view.id)}
          >
            Logs
          </button>
          {/* puts volumes back on the instance's engine: off with Start and Stop when that engine is not answering */}
          <ResetButton view={view} disabled={disabled || !view.dirExists} />
          <button
            type="button"
            className="danger wide-action"
            data-testid="btn-destroy"
            aria-label={`Destroy ${name}`}
            disabled={!!busy}
            onClick={() => app.openDestroy(view)}
          >
            Destroy
          </button>
          <Menu
            label={`More actions for ${name}`}
            testId="btn-more"
            items={[
              { key: 'restart', label: 'Restart', onSelect: a.restart, disabled: !can.stop },
              { key: 'gate', label: 'Run gate', onSelect: a.gate, disabled: !can.stop },
              { key: 'folder', label: 'Open folder', onSelect: () => void a.folder(), disabled: !view.dirExists },
              { key: 'terminal', label: 'Open terminal', onSelect: () => void a.terminal(), disabled: !view.dirExists },
              { key: 'copy-env', label: 'Copy env', onSelect: () => void a.copyEnv() },
              { key: 'destroy', label: 'Destroy…', onSelect: () => app.openDestroy(view), disabled: !!busy, danger: true },
            ]}
          />
        </div>
      </div>

      <EngineUnreachable view={view} />

      <nav className="links" aria-label={`Links of ${view.id}`}>
        <LinkChips view={view} />
      </nav>

      <div className="gate-line">
        <span data-testid="last-gate" data-passed={g ? String(g.passed) : ''}>
          {g ? (
            <>
              Last gate{' '}
              <span className={`pill pill-${g.passed ? 'passed' : 'failed'}`}>
                {g.passed ? `✓ PASSED ${seconds(g.elapsedMs)}` : `✗ FAILED`}
              </span>{' '}
              {!g.passed && g.failed.length > 0 && <span className="failed-list">{g.failed.join(', ')}</span>}{' '}
              <span className="muted">{ago(g.at, now)}</span>
            </>
          ) : (
            <span className="muted">Gate not run yet</span>
          )}
        </span>
        <span className="spacer" />
        <span className="wide-action secondary-actions">
          <button
            type="button"
            className="link-button"
            data-testid="btn-gate"
            aria-label={`Run gate of ${name}`}
            disabled={!can.stop}
            onClick={a.gate}
          >
            Run gate
          </button>
          <button
            type="button"
            className="link-button"
            data-testid="btn-folder"
            aria-label={`Open folder of ${name}`}
            onClick={a.folder}
            disabled={!view.dirExists}
          >
            Folder
          </button>
          <button
            type="button"
            className="link-button"
            data-testid="btn-terminal"
            aria-label={`Open terminal in ${name}`}
            onClick={a.terminal}
            disabled={!view.dirExists}
          >
            Terminal
          </button>
          <button type="button" className="link-button" data-testid="btn-copy-env" aria-label={`Copy env of ${name}`} onClick={a.copyEnv}>
            Copy env
          </button>
        </span>
        <button
          type="button"
          className="link-button"
          data-testid="btn-details"
          aria-expanded={expanded}
          aria-label={`${expanded ? 'Hide details' : 'Details'} of ${name}`}
          onClick={() => setExpanded((x) => !x)}
        >
          {expanded ? 'Hide details' : 'Details'} <span aria-hidden="true">{expanded ? '▴' : '▾'}</span>
        </button>
      </div>

      {op && showOp && (
        <GateView
          op={op}
          id={view.id}
          onDismiss={() => app.dismissProgress(view.id)}
          onCancel={busy === 'starting' || busy === 'restarting' ? a.cancel : undefined}
        />
      )}
      {expanded && (
        <InstanceDetails
          id={view.id}
          now={now}
          hideGate={liveGate}
          revision={`${view.status}|${view.containers.healthy}|${view.containers.running}|${g?.at ?? ''}|${busy ?? ''}`}
        />
      )}
    </article>
  );
}
