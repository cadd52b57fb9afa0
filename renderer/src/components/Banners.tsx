// Engine down, connection to the dashboard server lost, registry problems: shown above everything else.
import type { Snapshot } from '../../../main/shared/contract';
import type { ConnectionState } from '../api/http-transport';

export function EngineBanner({ engine }: { engine: Snapshot['engine'] }) {
  if (engine.state === 'up') return null;
  if (engine.state === 'connecting') {
    return (
      <div className="banner banner-info" data-testid="engine-banner" data-state="connecting">
        Connecting to Docker at <span className="mono">{engine.endpoint}</span>…
      </div>
    );
  }
  return (
    <div className="banner banner-error" data-testid="engine-banner" data-state="down" role="alert">
      <strong>Docker not running — retrying</strong>
      <span className="muted">
        {' '}
        (next attempt in {Math.round(engine.retryInMs / 100) / 10}s · {engine.endpoint})
      </span>
      <div className="banner-detail">{engine.message}</div>
    </div>
  );
}

export function ConnectionBanner({ state }: { state: ConnectionState }) {
  if (state === 'open') return null;
  return (
    <div className="banner banner-warn" data-testid="connection-banner" data-state={state}>
      {state === 'lost'
        ? 'Lost the dashboard server. Start `ktrdr-sandbox dashboard` again and open its new URL.'
        : 'Reconnecting to the dashboard server…'}
    </div>
  );
}

export function ProblemsBanner({ problems }: { problems: string[] }) {
  if (!problems.length) return null;
  return (
    <div className="banner banner-error" data-testid="problems" role="alert">
      {problems.map((p) => (
        <div key={p} className="problem">
          {p}
        </div>
      ))}
    </div>
  );
}
