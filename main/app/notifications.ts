// Desktop notifications. `notificationsFor` is a pure diff of two snapshots (unit-tested); `createNotifier` is
// the thin stateful wrapper that remembers the previous snapshot, honours settings.notifications and hands each
// notification to a `show` function (Electron's Notification in index.ts).
//
// "A container died" is confirmed after a short delay: a deliberate `down` (from the CLI, or our own stop whose
// busy flag cleared a moment before the last container event arrived) passes through "partial" on its way to
// "stopped", so a death is only reported when the stack is still partly up, not busy, and has not recovered.
import type { Snapshot } from '../shared/contract';
import type { InstanceView } from '../core/views';

export interface DesktopNotification {
  title: string;
  body: string;
  kind: 'gate' | 'died';
  instance: string;
  /** For 'died': containers running before the drop (to confirm the death later). */
  runningBefore?: number;
}

const wasUp = (v: InstanceView): boolean => v.status === 'running' || v.status === 'partial';

function gateNotification(prev: InstanceView, next: InstanceView): DesktopNotification | null {
  const g = next.lastGate;
  if (!g) return null;
  if (prev.lastGate && prev.lastGate.at === g.at && prev.lastGate.passed === g.passed) return null;
  if (g.passed) {
    return { kind: 'gate', instance: next.id, title: `${next.id} is ready`, body: `Gate passed in ${(g.elapsedMs / 1000).toFixed(1)} s.` };
  }
  return {
    kind: 'gate',
    instance: next.id,
    title: `${next.id}: gate failed`,
    body: g.failed.length ? `Failed checks: ${g.failed.join(', ')}.` : 'The readiness gate failed.',
  };
}

function deathNotification(prev: InstanceView, next: InstanceView, s: { prev: Snapshot; next: Snapshot }): DesktopNotification | null {
  // Only an instance that was up, and not being stopped/restarted/destroyed by us, can "die".
  if (!wasUp(prev) || s.prev.busy[prev.id] || s.next.busy[next.id]) return null;
  const dropped = prev.containers.running - next.containers.running;
  if (dropped <= 0) return null;
  return {
    kind: 'died',
    instance: next.id,
    runningBefore: prev.containers.running,
    title: `${next.id}: ${dropped === 1 ? 'a container' : `${dropped} containers`} stopped`,
    body: `${next.containers.running} of ${next.containers.total} containers running.`,
  };
}

/** What changed between two snapshots that deserves a notification: gate passed/failed, a container died. */
export function notificationsFor(prev: Snapshot, next: Snapshot): DesktopNotification[] {
  const out: DesktopNotification[] = [];
  // While the engine is down (or reconnecting) container counts mean nothing: no "died" noise.
  const countsComparable = prev.engine.state === 'up' && next.engine.state === 'up';
  const before = new Map(prev.instances.map((v) => [v.id, v]));
  for (const v of next.instances) {
    const p = before.get(v.id);
    if (!p) continue; // new to us (first load or just created): nothing to compare
    const gate = gateNotification(p, v);
    if (gate) out.push(gate);
    if (countsComparable) {
      const died = deathNotification(p, v, { prev, next });
      if (died) out.push(died);
    }
  }
  return out;
}

/** Is a reported death still true in the latest snapshot? (Stack still partly up, not busy, not recovered.) */
export function deathConfirmed(n: DesktopNotification, latest: Snapshot): boolean {
  if (n.kind !== 'died') return true;
  if (latest.engine.state !== 'up' || latest.busy[n.instance]) return false;
  const v = latest.instances.find((i) => i.id === n.instance);
  if (!v || v.status !== 'partial') return false;
  return v.containers.running < (n.runningBefore ?? Number.POSITIVE_INFINITY);
}

export interface NotifierOptions {
  enabled(): boolean;
  show(n: DesktopNotification): void;
  /** Delay before a container death is confirmed and shown (default 2500 ms). */
  confirmDelayMs?: number;
  setTimer?(fn: () => void, ms: number): unknown;
}

export interface Notifier {
  /** Feed it every snapshot; the first one only sets the baseline. */
  update(s: Snapshot): void;
}

export function createNotifier(opts: NotifierOptions): Notifier {
  let prev: Snapshot | null = null;
  const delay = opts.confirmDelayMs ?? 2500;
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms).unref?.());
  const pending = new Set<string>(); // instances with a death report waiting for confirmation
  return {
    update(s) {
      const p = prev;
      prev = s;
      if (!p) return;
      for (const n of notificationsFor(p, s)) {
        if (n.kind === 'gate') {
          if (opts.enabled()) opts.show(n);
          continue;
        }
        if (pending.has(n.instance)) continue;
        pending.add(n.instance);
        setTimer(() => {
          pending.delete(n.instance);
          if (prev && deathConfirmed(n, prev) && opts.enabled()) opts.show(n);
        }, delay);
      }
    },
  };
}
