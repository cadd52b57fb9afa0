// The live view of an operation: its steps (with compose's own progress as timed sub-steps), then the
// Startability Gate's checks as they settle, then — when the gate failed — why (GateFailure).
import { gateVerdict, type OperationView, type StepView } from '../api/progress-store';
import { useNow } from '../api/hooks';
import { firstLine, seconds } from '../format';
import { GateFailure } from './GateFailure';
import { StateIcon } from './Icon';

const TITLES: Record<string, string> = {
  up: 'Starting',
  restart: 'Restarting',
  down: 'Stopping',
  destroy: 'Destroying',
  gate: 'Startability Gate',
  create: 'Creating',
};

function StepRow({ s, now, children, error }: { s: StepView; now: number; children?: React.ReactNode; error?: string }) {
  const running = s.state === 'running';
  const elapsed = running ? now - s.startedAt : s.elapsedMs;
  return (
    <li className={`step step-${s.state}${s.parent ? ' sub-step' : ''}`} data-testid={`step-${s.id}`} data-state={s.state}>
      <StateIcon state={s.state} />
      <span className="step-label">
        {s.label}
        {/* the operation's error is shown once, in full, below the steps */}
        {s.message && s.message !== error && <span className="muted"> — {firstLine(s.message)}</span>}
      </span>
      {elapsed !== undefined && (running || elapsed >= 1000) && <span className="check-time">{seconds(elapsed)}</span>}
      {children}
    </li>
  );
}

export function GateView({
  op,
  id,
  onDismiss,
  onCancel,
}: {
  op: OperationView;
  id?: string;
  onDismiss?: () => void;
  onCancel?: () => void;
}) {
  const now = useNow(500);
  const gate = op.gate;
  const verdict = gate ? gateVerdict(gate) : op.error ? 'failed' : op.finished ? 'done' : 'running';
  const gateDone = gate && verdict !== 'running';
  const settled = gate ? Math.max(0, ...gate.checks.map((c) => c.elapsedMs)) : 0;
  // the clock ticks every 500 ms: never show less than what the checks already report
  const elapsed = gate ? (gateDone ? settled : Math.max(settled, now - gate.startedAt)) : 0;
  const top = op.steps.filter((s) => !s.parent);
  const subs = (parent: string) => op.steps.filter((s) => s.parent === parent);
  return (
    <section
      className={`progress verdict-${verdict}`}
      data-testid="gate-view"
      data-operation={op.operation}
      data-verdict={verdict}
      aria-label={`${TITLES[op.kind] ?? op.kind} ${op.target}`}
    >
      <div className="progress-head">
        <strong>{TITLES[op.kind] ?? op.kind}</strong>
        {gate && (
          <span className={`pill pill-${verdict}`} data-testid="gate-verdict">
            {verdict === 'passed' ? `PASSED in ${seconds(elapsed)}` : verdict === 'failed' ? 'FAILED' : `checking… ${seconds(elapsed)}`}
          </span>
        )}
        {!gate && verdict === 'failed' && <span className="pill pill-failed">FAILED</span>}
        {!gate && verdict === 'done' && <span className="pill pill-passed">DONE</span>}
        <span className="spacer" />
        {onCancel && !op.finished && (
          <button
            type="button"
            className="link-button"
            onClick={onCancel}
            data-testid="op-cancel"
            aria-label={`Cancel ${TITLES[op.kind]?.toLowerCase() ?? op.kind} ${op.target}`}
          >
            Cancel
          </button>
        )}
        {onDismiss && op.finished && (
          <button
            type="button"
            className="link-button close"
            onClick={onDismiss}
            aria-label={`Dismiss the ${op.kind} result of ${op.target}`}
            data-testid="gate-dismiss"
          >
            ×
          </button>
        )}
      </div>
      {top.length > 0 && (
        <ol className="steps">
          {top.map((s) => {
            const children = subs(s.id);
            return (
              <StepRow key={s.id} s={s} now={now} error={op.error?.message}>
                {children.length > 0 && (
                  <ol className="sub-steps" data-testid={`sub-steps-${s.id}`}>
                    {children.map((c) => (
                      <StepRow key={c.id} s={c} now={now} />
                    ))}
                  </ol>
                )}
              </StepRow>
            );
          })}
        </ol>
      )}
      {gate && (
        <ul className="checks">
          {gate.checks.map((c) => (
            <li key={c.name} className={`check check-${c.state}`} data-testid={`gate-check-${c.name}`} data-state={c.state}>
              <StateIcon state={c.state === 'pending' && !gateDone ? 'running' : c.state} />
              <span className="check-label">{c.label}</span>
              <span className="check-time">{c.state === 'pending' ? '' : seconds(c.elapsedMs)}</span>
              {c.state === 'failed' && !op.report && <span className="check-message">{c.message}</span>}
              {c.state === 'skipped' && c.message && <span className="check-message muted">{c.message}</span>}
            </li>
          ))}
        </ul>
      )}
      {op.report && !op.report.passed && id && <GateFailure report={op.report} id={id} />}
      {op.error && (
        <div className="inline-error" data-testid="operation-error">
          <pre>{op.error.message}</pre>
          {op.error.hint && <p className="hint">{op.error.hint}</p>}
        </div>
      )}
    </section>
  );
}
