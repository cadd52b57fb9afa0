// The top bar's one-line summary, a pure function of the snapshot: every instance counted ONCE, by the state
// its card shows (busy first, then its own engine not answering, failing, running, stopped, missing dir). With
// the engine down nothing about the containers is known, and the summary says so instead of counting every
// instance as stopped; so with an instance's own engine (a named docker context) down, for that instance. The tray
// marks and counts instances by the same buckets (main/app/tray-menu.ts).
import type { Snapshot } from './contract';
import { engineUnreachable, type InstanceView } from './views';

export type SummaryBucket = 'busy' | 'failing' | 'running' | 'unreachable' | 'stopped' | 'missing';

const ORDER: SummaryBucket[] = ['running', 'failing', 'busy', 'unreachable', 'stopped', 'missing'];
const WORDS: Record<SummaryBucket, string> = {
  running: 'running',
  failing: 'failing',
  busy: 'busy',
  unreachable: 'unreachable',
  stopped: 'stopped',
  missing: 'missing dir',
};

/** The one bucket an instance counts in. */
export function bucketOf(v: InstanceView, busy: Record<string, string>): SummaryBucket {
  if (busy[v.id]) return 'busy';
  if (engineUnreachable(v)) return 'unreachable';
  if (v.status === 'missing') return 'missing';
  if (v.status === 'partial') return 'failing';
  if (v.status === 'running') return v.lastGate && !v.lastGate.passed ? 'failing' : 'running';
  return 'stopped';
}

export function summaryCounts(instances: InstanceView[], busy: Record<string, string>): Record<SummaryBucket, number> {
  const n: Record<SummaryBucket, number> = { running: 0, failing: 0, busy: 0, unreachable: 0, stopped: 0, missing: 0 };
  for (const v of instances) n[bucketOf(v, busy)]++;
  return n;
}

export function summarise(s: Pick<Snapshot, 'instances' | 'busy' | 'engine'>): string {
  const total = s.instances.length;
  const noun = `${total} instance${total === 1 ? '' : 's'}`;
  if (s.engine.state === 'down') return total ? `Docker not running · ${noun}, state unknown` : 'Docker not running';
  if (s.engine.state === 'connecting') return total ? `Connecting to Docker · ${noun}` : 'Connecting to Docker…';
  if (!total) return 'no instances';
  const n = summaryCounts(s.instances, s.busy);
  return ORDER.filter((b) => n[b] > 0)
    .map((b) => `${n[b]} ${WORDS[b]}`)
    .join(' · ');
}
