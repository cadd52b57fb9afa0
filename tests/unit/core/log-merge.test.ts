// Followed log streams merged by timestamp within a window, flushed on close.
import { describe, expect, it } from 'vitest';
import { createTimeMerger } from '../../../main/core/log-merge';
import type { ServiceLogLine } from '../../../main/core/use-cases/logs';

const line = (service: string, time: string, text = 'x'): ServiceLogLine => ({ service, stream: 'stdout', time, text });

describe('createTimeMerger', () => {
  it('merges followed streams by time within the window, and flushes everything on close', () => {
    let t = 0;
    const ticks: Array<() => void> = [];
    const out: string[] = [];
    const m = createTimeMerger<ServiceLogLine>((l) => out.push(`${l.service}@${l.time}`), 300, {
      now: () => t,
      every: (_ms, fn) => (ticks.push(fn), () => ticks.splice(ticks.indexOf(fn), 1)),
    });
    // the whole tail of backend arrives first, then db's older and newer lines
    m.push(line('backend', '2025-01-01T00:00:02Z'));
    m.push(line('backend', '2025-01-01T00:00:04Z'));
    t = 50;
    m.push(line('db', '2025-01-01T00:00:01Z'));
    m.push(line('db', '2025-01-01T00:00:03Z'));
    ticks[0]!();
    expect(out).toEqual([]); // still inside the window
    t = 400;
    ticks[0]!();
    expect(out).toEqual([
      'db@2025-01-01T00:00:01Z',
      'backend@2025-01-01T00:00:02Z',
      'db@2025-01-01T00:00:03Z',
      'backend@2025-01-01T00:00:04Z',
    ]);
    expect(ticks.length).toBe(0); // the timer stops when nothing waits
    m.push(line('db', '2025-01-01T00:00:05Z'));
    m.close();
    expect(out.at(-1)).toBe('db@2025-01-01T00:00:05Z');
  });
});
