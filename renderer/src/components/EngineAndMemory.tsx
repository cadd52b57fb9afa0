// Issue 13 on the card: the engine an instance runs on (a badge when it is not the default one), why its actions
// are off while that engine does not answer, and a small memory bar — last measured use against the stack's
// compose limits (or its capacity estimate when the limits do not cover every service).
import type { InstanceView } from '../../../main/shared/views';

const MiB = 1024 ** 2;
/** 300 MiB, 1.5 GiB: enough precision for a bar's caption. */
function bytes(n: number): string {
  return n >= 1024 * MiB ? `${(n / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(n / MiB)} MiB`;
}

export function EngineBadge({ view }: { view: InstanceView }) {
  if (!view.engineName) return null;
  const down = view.engineStatus?.reachable === false;
  return (
    <span
      className={`engine-badge${down ? ' engine-badge-down' : ''}`}
      data-testid="engine-badge"
      title={down ? `engine ${view.engineName}: unreachable` : `runs on engine ${view.engineName}`}
    >
      <span aria-hidden="true">⛁</span> {view.engineName}
    </span>
  );
}

export function EngineUnreachable({ view }: { view: InstanceView }) {
  if (view.engineStatus?.reachable !== false) return null;
  return (
    <p className="engine-unreachable-note" role="status" data-testid="engine-unreachable">
      <strong>Engine {view.engineStatus.name} unreachable</strong> — Start, Stop, Reset and the gate are off until it answers again (
      {view.engineStatus.error ?? 'no answer'}). Its containers are not touched; the registry keeps the instance.
    </p>
  );
}

/** A drawn bar (role meter): used ÷ scale; over the scale it is full and marked. Text beside it says the figures. */
export function MemoryBar({ view }: { view: InstanceView }) {
  const m = view.memory;
  if (!m || m.usedBytes === null) return null;
  const ratio = m.ofBytes > 0 ? m.usedBytes / m.ofBytes : 0;
  // a stack using a sliver of its scale still shows a sliver (2 %): a bar that looks empty reads as "not measured"
  const pct = Math.min(100, Math.max(2, Math.round(ratio * 100)));
  const level = ratio > 1 ? 'over' : ratio > 0.85 ? 'high' : 'ok';
  const label = `${bytes(m.usedBytes)} of ${bytes(m.ofBytes)} ${m.of === 'limit' ? 'limit' : 'estimated'}`;
  return (
    <span className="memory" data-testid="memory" data-level={level} title={m.measuredAt ? `measured ${m.measuredAt}` : undefined}>
      <span
        className="memory-bar"
        role="meter"
        aria-label={`Memory of ${view.id}`}
        aria-valuemin={0}
        aria-valuemax={m.ofBytes}
        aria-valuenow={Math.min(m.usedBytes, m.ofBytes)}
        aria-valuetext={label}
      >
        <span className="memory-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="memory-text">{label}</span>
      {m.cpuPercent !== undefined && (
        <span className="memory-text" data-testid="cpu">
          · {m.cpuPercent}% CPU
        </span>
      )}
    </span>
  );
}

/**
 * A stopped instance: what it would need on its engine (its capacity estimate) against what is free there now —
 * the verdict `up` would reach, drawn before anyone presses Start. Full and red when it does not fit.
 */
export function FitBar({ view }: { view: InstanceView }) {
  const f = view.fit;
  if (!f) return null;
  const free = f.freeBytes;
  const ratio = free !== null && free > 0 ? f.needBytes / free : 1;
  const pct = Math.min(100, Math.max(2, Math.round(ratio * 100)));
  const level = f.fits === false ? 'over' : f.fits === null ? 'unknown' : ratio > 0.85 ? 'high' : 'ok';
  const verdict = f.fits === true ? 'fits' : f.fits === false ? 'does not fit' : 'fit unknown';
  const label = `needs ${bytes(f.needBytes)}${free !== null ? ` of ${bytes(free)} free` : ''} on ${f.engine}: ${verdict}`;
  return (
    <span className="memory" data-testid="fit" data-fits={String(f.fits)} data-level={level} title={`estimate: ${f.source}`}>
      <span
        className="memory-bar"
        role="meter"
        aria-label={`Memory ${view.id} needs on ${f.engine}`}
        aria-valuemin={0}
        aria-valuemax={free ?? f.needBytes}
        aria-valuenow={free !== null ? Math.min(f.needBytes, free) : f.needBytes}
        aria-valuetext={label}
      >
        <span className="memory-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="memory-text">{label}</span>
    </span>
  );
}
