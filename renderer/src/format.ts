// Small display helpers. Relative time comes from the shared formatting helpers (main/shared/format.ts).
import { relativeTime } from '../../main/shared/format';

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
