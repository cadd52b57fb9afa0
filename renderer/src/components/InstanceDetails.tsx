// Expanded part of a card: the last gate report check by check, containers per service, endpoints.
import { useEffect, useState } from 'react';
import type { StatusResult } from '../../../main/shared/results';
import type { ErrorPayload } from '../../../main/shared/errors';
import { useApi } from '../api/hooks';
import { ago, clockTime, seconds } from '../format';
import { healthLabel, provenReadyServices } from '../../../main/shared/health';
import { GateFailure } from './GateFailure';
import { StateIcon } from './Icon';
import { SharedData } from './SharedData';

export function InstanceDetails({ id, revision, now, hideGate }: { id: string; revision: string; now: number; hideGate?: boolean }) {
  const api = useApi();
  const [status, setStatus] = useState<StatusResult | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let live = true;
    void api.invoke('status', id).then((r) => {
      if (!live) return;
      if (r.ok) {
        setStatus(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, id, revision, reloads]);

  if (error)
    return (
      <div className="inline-error" data-testid="details-error">
        {error.message}
      </div>
    );
  if (!status) return <div className="muted details">Loading…</div>;
  const g = status.lastGate;
  const proven = provenReadyServices(g); // ready by the gate while Docker still says starting
  return (
    <div className={`details${hideGate ? ' one-col' : ''}`} data-testid="instance-details">
      {!hideGate && (
        <div className="details-col">
          <h3>
            Last gate{' '}
            {g && (
              <span className={`pill pill-${g.passed ? 'passed' : 'failed'}`}>
                {g.passed ? 'PASSED' : 'FAILED'} {seconds(g.elapsedMs)}
              </span>
            )}
          </h3>
          {g ? (
            <>
              <p className="muted">
                {clockTime(g.startedAt)} · {ago(g.startedAt, now)}
              </p>
              <ul className="checks" data-testid="last-gate-checks">
                {g.checks.map((c) => (
                  <li key={c.name} className={`check check-${c.state}`} data-testid={`last-check-${c.name}`} data-state={c.state}>
                    <StateIcon state={c.state} />
                    <span className="check-label">{c.label}</span>
                    <span className="check-time">{c.state === 'pending' ? '' : seconds(c.elapsedMs)}</span>
                    {c.state === 'skipped' && c.message && <span className="check-message muted">{c.message}</span>}
                  </li>
                ))}
              </ul>
              <GateFailure report={g} id={id} />
            </>
          ) : (
            <p className="muted">No gate has run yet.</p>
          )}
        </div>
      )}
      <div className="details-col">
        <h3>Containers</h3>
        {status.services.length ? (
          <table className="services">
            <tbody>
              {status.services.map((s) => (
                <tr key={s.service} data-testid={`service-${s.service}`} data-state={s.state}>
                  <td>{s.service}</td>
                  <td className={`state-${s.state}`}>{s.state}</td>
                  <td className="muted">{s.health === 'none' ? '' : healthLabel(s.service, s.health, proven)}</td>
                  <td className="muted mono">{s.ports.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No containers.</p>
        )}
        {status.endpoints.length > 0 && (
          <>
            <h3>Endpoints</h3>
            <ul className="checks">
              {status.endpoints.map((e) => (
                <li key={e.name} className="check">
                  <StateIcon state={e.ok ? 'passed' : 'failed'} />
                  <span className="check-label">{e.label}</span>
                  <span className="muted">{e.detail}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        {status.sharedData && <SharedData id={id} folders={status.sharedData} onChanged={() => setReloads((n) => n + 1)} />}
        {status.engine && <EngineConnection engine={status.engine} />}
        <p className="muted mono path" title={status.instance.path}>
          {status.instance.path}
        </p>
      </div>
    </div>
  );
}

/** A remote instance: its engine and the ssh connection carrying its Docker socket and its localhost ports. */
function EngineConnection({ engine }: { engine: NonNullable<StatusResult['engine']> }) {
  const up = engine.tunnel === 'up';
  const n = engine.forwardedPorts.length;
  return (
    <>
      <h3>Engine</h3>
      <ul className="checks" data-testid="engine-connection" data-tunnel={engine.tunnel}>
        <li className="check">
          <StateIcon state={up ? 'passed' : 'failed'} />
          <span className="check-label">
            {engine.name} <span className="muted mono">{engine.endpoint}</span>
          </span>
          <span className="muted">
            {up
              ? `ssh connection up · ${n} port${n === 1 ? '' : 's'} forwarded to localhost`
              : 'ssh connection down: Start or any action brings it back'}
          </span>
        </li>
      </ul>
    </>
  );
}
