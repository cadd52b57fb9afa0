// Small display helpers (the renderer imports only types from the core, so these few live here).

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** "12s ago", "3m ago", "2h ago", "4d ago". */
export function ago(iso: string | number, now: number): string {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}

export function clockTime(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function portOf(url: string): string {
  try {
    return new URL(url).port;
  } catch {
    return '';
  }
}

const BUSY_LABELS: Record<string, string> = {
  starting: 'starting…',
  stopping: 'stopping…',
  restarting: 'restarting…',
  destroying: 'destroying…',
  gate: 'checking…',
};

export function busyLabel(op: string): string {
  return BUSY_LABELS[op] ?? `${op}…`;
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
