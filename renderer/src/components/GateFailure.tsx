// Why a gate failed, as the CLI prints it: each failed check with its message (and, when the report has them,
// the failing service, its exit code and its own hint), the last log lines of the services involved with a
// link to the full logs panel, and the named fixes.
import { useLayoutEffect, useRef } from 'react';
import type { CheckResult, GateReport } from '../../../main/shared/types';
import { useApp } from '../app-context';

/** A log tail, scrolled to its end: the crash is at the bottom. */
function Tail({ service, lines }: { service: string; lines: string[] }) {
  const ref = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [lines]);
  return (
    <pre className="log-tail-lines" tabIndex={0} aria-label={`Last log lines of ${service}`} ref={ref}>
      {lines.join('\n')}
    </pre>
  );
}

/** Fields a richer gate report may carry per failed check (rendered when present). */
type FailedCheck = CheckResult & { service?: string; exitCode?: number | null; logTail?: string[]; hint?: string };

export function GateFailure({ report, id }: { report: GateReport; id: string }) {
  const app = useApp();
  if (report.passed) return null;
  const failed = report.checks.filter((c) => c.state === 'failed') as FailedCheck[];
  const tails: Array<[string, string[]]> = Object.entries(report.logTails ?? {});
  for (const c of failed) if (c.service && c.logTail?.length && !report.logTails?.[c.service]) tails.push([c.service, c.logTail]);
  const hints = [...new Set([...failed.map((c) => c.hint).filter((h): h is string => !!h), ...(report.hints ?? [])])];
  return (
    <div className="gate-failure" data-testid="gate-failure">
      {failed.length === 0 && <p className="check-message">The gate did not pass within {Math.round(report.timeoutMs / 1000)}s.</p>}
      {failed.map((c) => (
        <div key={c.name} className="failed-check" data-testid={`failed-check-${c.name}`}>
          <p>
            <strong>✗ {c.label}</strong>
            {c.service && <span className="muted"> · {c.service}</span>}
            {c.exitCode !== undefined && c.exitCode !== null && <span className="muted"> · exit code {c.exitCode}</span>}
          </p>
          <pre className="check-message">{c.message}</pre>
          {c.details?.map((d) => (
            <pre key={d} className="muted small">
              {d}
            </pre>
          ))}
        </div>
      ))}
      {tails.map(([service, lines]) => (
        <div key={service} className="log-tail" data-testid={`log-tail-${service}`}>
          <div className="log-tail-head">
            <span>
              Last {lines.length} log lines of <strong>{service}</strong>
            </span>
            <button type="button" className="link-button" data-testid={`open-logs-${service}`} onClick={() => app.openLogs(id, service)}>
              Full logs of {service} →
            </button>
          </div>
          <Tail service={service} lines={lines} />
        </div>
      ))}
      {hints.map((h) => (
        <p key={h} className="hint fix" data-testid="gate-hint">
          <strong>Fix:</strong> {h}
        </p>
      ))}
    </div>
  );
}
