// The live view of an operation: its steps, then the Startability Gate's checks as they settle.
import { gateVerdict, type OperationView } from '../api/progress-store';
import { useNow } from '../api/hooks';
import { firstLine, seconds } from '../format';
import { StateIcon } from './Icon';

const TITLES: Record<string, string> = { up: 'Starting', restart: 'Restarting', down: 'Stopping', destroy: 'Destroying', gate: 'Startability Gate', create: 'Creating' };

export function GateView({ op, onDismiss }: { op: OperationView; onDismiss?: () => void }) {
  const now = useNow(500);
  const gate = op.gate;
  const verdict = gate ? gateVerdict(gate) : op.error ? 'failed' : op.finished ? 'done' : 'running';
  const gateDone = gate && verdict !== 'running';
  const settled = gate ? Math.max(0, ...gate.checks.map((c) => c.elapsedMs)) : 0;
  // the clock ticks every 500 ms: never show less than what the checks already report
  const elapsed = gate ? (gateDone ? settled : Math.max(settled, now - gate.startedAt)) : 0;
  const steps = op.steps;
  return (
    <section className={`progress verdict-${verdict}`} data-testid="gate-view" data-operation={op.operation} data-verdict={verdict}>
      <header>
        <strong>{TITLES[op.kind] ?? op.kind}</strong>
        {gate && (
          <span className={`pill pill-${verdict}`} data-testid="gate-verdict">
            {verdict === 'passed' ? `PASSED in ${seconds(elapsed)}` : verdict === 'failed' ? 'FAILED' : `checking… ${seconds(elapsed)}`}
          </span>
        )}
        {!gate && verdict === 'failed' && <span className="pill pill-failed">FAILED</span>}
        {!gate && verdict === 'done' && <span className="pill pill-passed">DONE</span>}
        {onDismiss && op.finished && (
          <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss" data-testid="gate-dismiss">
            ×
          </button>
        )}
      </header>
      {steps.length > 0 && (
        <ol className="steps">
          {steps.map((s) => (
            <li key={s.id} className={`step step-${s.state}`} data-testid={`step-${s.id}`} data-state={s.state}>
              <StateIcon state={s.state} />
              <span>{s.label}</span>
              {s.message && <span className="muted"> — {firstLine(s.message)}</span>}
            </li>
          ))}
        </ol>
      )}
      {gate && (
        <ul className="checks">
          {gate.checks.map((c) => (
            <li key={c.name} className={`check check-${c.state}`} data-testid={`gate-check-${c.name}`} data-state={c.state}>
              <StateIcon state={c.state === 'pending' && !gateDone ? 'running' : c.state} />
              <span className="check-label">{c.label}</span>
              <span className="check-time">{c.state === 'pending' ? '' : seconds(c.elapsedMs)}</span>
              {c.state === 'failed' && <span className="check-message">{c.message}</span>}
              {c.state === 'skipped' && c.message && <span className="check-message muted">{c.message}</span>}
            </li>
          ))}
        </ul>
      )}
      {op.error && (
        <div className="inline-error" data-testid="operation-error">
          <pre>{op.error.message}</pre>
          {op.error.hint && <p className="muted">{op.error.hint}</p>}
        </div>
      )}
    </section>
  );
}
