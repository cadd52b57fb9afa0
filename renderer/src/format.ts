// Small display helpers. Relative time comes from the core's pure views module (no Node code in it).
import { relativeTime, type InstanceView } from '../../main/core/views';

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** "12s ago", "3m ago", "2h ago", "4d ago". */
export const ago = relativeTime;

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

/** The top bar's one-line summary: "2 running · 1 failing · 3 stopped". */
export function summarise(instances: InstanceView[], busy: Record<string, string>): string {
  if (!instances.length) return 'no instances';
  const running = instances.filter((i) => i.status === 'running').length;
  const failing = instances.filter((i) => i.status === 'partial' || (i.status === 'running' && i.lastGate && !i.lastGate.passed)).length;
  const stopped = instances.filter((i) => i.status === 'stopped').length;
  const parts: string[] = [];
  if (running) parts.push(`${running} running`);
  if (failing) parts.push(`${failing} failing`);
  if (stopped) parts.push(`${stopped} stopped`);
  const nBusy = Object.keys(busy).length;
  if (nBusy) parts.push(`${nBusy} busy`);
  return parts.join(' · ') || `${instances.length} instances`;
}
