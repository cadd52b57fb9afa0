import { describe, expect, it } from 'vitest';
import { createNotifier, deathConfirmed, notificationsFor, type DesktopNotification } from '../../../main/app/notifications';
import { failingGate, snapshot, stopped, view } from './fixtures';

const passedGate = (at: string, elapsedMs = 30_000) => ({ passed: true, at, elapsedMs, failed: [] });

describe('notificationsFor', () => {
  it('is silent when nothing changed', () => {
    const s = snapshot({ instances: [view('a'), failingGate('b')] });
    expect(notificationsFor(s, { ...s, updatedAt: 2 })).toEqual([]);
  });

  it('reports a gate that passed', () => {
    const prev = snapshot({ instances: [stopped('a')] });
    const next = snapshot({ instances: [view('a', { lastGate: passedGate('2025-01-01T00:05:00Z', 31_500) })] });
    expect(notificationsFor(prev, next)).toEqual([{ kind: 'gate', instance: 'a', title: 'a is ready', body: 'Gate passed in 31.5 s.' }]);
  });

  it('reports a gate that failed, with the failed checks', () => {
    const prev = snapshot({ instances: [view('b')] });
    const next = snapshot({ instances: [failingGate('b')] });
    expect(notificationsFor(prev, next)).toEqual([
      { kind: 'gate', instance: 'b', title: 'b: gate failed', body: 'Failed checks: backend, workers.' },
    ]);
  });

  it('reports a new gate run even when the verdict is the same', () => {
    const prev = snapshot({ instances: [view('a', { lastGate: passedGate('2025-01-01T00:01:00Z') })] });
    const next = snapshot({ instances: [view('a', { lastGate: passedGate('2025-01-01T00:09:00Z') })] });
    expect(notificationsFor(prev, next).map((n) => n.title)).toEqual(['a is ready']);
  });

  it('does not notify for instances it sees for the first time (startup, just created)', () => {
    expect(notificationsFor(snapshot(), snapshot({ instances: [failingGate('new')] }))).toEqual([]);
  });

  it('reports a container dying in a running instance', () => {
    const prev = snapshot({ instances: [view('a')] });
    const next = snapshot({ instances: [view('a', { status: 'partial', containers: { running: 5, healthy: 5, total: 6 } })] });
    expect(notificationsFor(prev, next)).toEqual([
      { kind: 'died', instance: 'a', runningBefore: 6, title: 'a: a container stopped', body: '5 of 6 containers running.' },
    ]);
  });

  it('counts several containers dying at once', () => {
    const prev = snapshot({ instances: [view('a')] });
    const next = snapshot({ instances: [view('a', { status: 'partial', containers: { running: 3, healthy: 3, total: 6 } })] });
    expect(notificationsFor(prev, next)[0]!.title).toBe('a: 3 containers stopped');
  });

  it('ignores containers stopping while we run an operation on the instance', () => {
    const prev = snapshot({ instances: [view('a')], busy: { a: 'stopping' } });
    const next = snapshot({ instances: [stopped('a', 1)], busy: { a: 'stopping' } });
    expect(notificationsFor(prev, next)).toEqual([]);
    expect(notificationsFor(snapshot({ instances: [view('a')] }), { ...next })).toEqual([]);
  });

  it('ignores a stopped instance and the engine going away', () => {
    const s = snapshot({ instances: [stopped('a')] });
    expect(notificationsFor(s, s)).toEqual([]);
    const down = snapshot({
      engine: { state: 'down', endpoint: 'x', message: 'gone', retryInMs: 500 },
      instances: [view('a', { status: 'stopped', containers: { running: 0, healthy: 0, total: 6 } })],
    });
    expect(notificationsFor(snapshot({ instances: [view('a')] }), down)).toEqual([]);
  });
});

describe('deathConfirmed', () => {
  const died: DesktopNotification = { kind: 'died', instance: 'a', runningBefore: 6, title: '', body: '' };
  const partial = view('a', { status: 'partial', containers: { running: 5, healthy: 5, total: 6 } });
  it('holds while the stack is still partly up', () => {
    expect(deathConfirmed(died, snapshot({ instances: [partial] }))).toBe(true);
  });
  it('drops a deliberate down (the stack reached "stopped"), a recovery, or a busy instance', () => {
    expect(deathConfirmed(died, snapshot({ instances: [stopped('a')] }))).toBe(false);
    expect(deathConfirmed(died, snapshot({ instances: [view('a')] }))).toBe(false);
    expect(deathConfirmed(died, snapshot({ instances: [partial], busy: { a: 'restarting' } }))).toBe(false);
    expect(deathConfirmed(died, snapshot())).toBe(false);
  });
});

describe('createNotifier', () => {
  function harness(enabled = true) {
    const shown: string[] = [];
    const timers: (() => void)[] = [];
    const n = createNotifier({
      enabled: () => enabled,
      show: (x) => shown.push(x.title),
      setTimer: (fn) => timers.push(fn),
    });
    return { n, shown, timers };
  }

  it('takes the first snapshot as the baseline', () => {
    const { n, shown } = harness();
    n.update(snapshot({ instances: [failingGate('a')] }));
    expect(shown).toEqual([]);
  });

  it('shows gate results at once', () => {
    const { n, shown } = harness();
    n.update(snapshot({ instances: [view('a')] }));
    n.update(snapshot({ instances: [failingGate('a')] }));
    expect(shown).toEqual(['a: gate failed']);
  });

  it('shows a container death only if it still holds after the delay', () => {
    const { n, shown, timers } = harness();
    const partial = view('a', { status: 'partial', containers: { running: 5, healthy: 5, total: 6 } });
    n.update(snapshot({ instances: [view('a')] }));
    n.update(snapshot({ instances: [partial] }));
    expect(shown).toEqual([]);
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(shown).toEqual(['a: a container stopped']);
  });

  it('drops the death report of a stack being brought down (CLI `down`)', () => {
    const { n, shown, timers } = harness();
    n.update(snapshot({ instances: [view('a')] }));
    n.update(snapshot({ instances: [view('a', { status: 'partial', containers: { running: 2, healthy: 2, total: 6 } })] }));
    n.update(snapshot({ instances: [stopped('a', 1)] }));
    for (const t of timers) t();
    expect(shown).toEqual([]);
  });

  it('shows nothing when notifications are off', () => {
    const { n, shown, timers } = harness(false);
    n.update(snapshot({ instances: [view('a')] }));
    n.update(snapshot({ instances: [failingGate('a', 1)] }));
    n.update(
      snapshot({
        instances: [failingGate('a', 1)].map((v) => ({
          ...v,
          status: 'partial' as const,
          containers: { running: 1, healthy: 1, total: 6 },
        })),
      }),
    );
    for (const t of timers) t();
    expect(shown).toEqual([]);
  });
});
