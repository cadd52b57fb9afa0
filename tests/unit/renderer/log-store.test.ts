// The logs panel's buffer: lines of every service merged by Docker's timestamp as they arrive.
import { describe, expect, it } from 'vitest';
import { LogStore } from '../../../renderer/src/api/log-store';

const line = (service: string, time: string | undefined, text: string) => ({
  subscription: 's',
  service,
  stream: 'stdout' as const,
  text,
  ...(time ? { time } : {}),
});

describe('log store', () => {
  it("puts a service's older tail lines among the lines already there, by time; untimed lines go last", () => {
    const store = new LogStore(10);
    store.push(line('backend', '2025-01-01T00:00:02Z', 'b2'));
    store.push(line('backend', '2025-01-01T00:00:04Z', 'b4'));
    store.push(line('db', '2025-01-01T00:00:01Z', 'd1'));
    store.push(line('db', '2025-01-01T00:00:03Z', 'd3'));
    store.push(line('db', undefined, 'untimed'));
    store.push(line('db', '2025-01-01T00:00:05Z', 'd5'));
    expect(store.get('s').lines.map((l) => l.text)).toEqual(['d1', 'b2', 'd3', 'b4', 'untimed', 'd5']);
  });

  it('keeps at most maxLines, counting what it dropped', () => {
    const store = new LogStore(3);
    for (let i = 0; i < 5; i++) store.push(line('x', `2025-01-01T00:00:0${i}Z`, String(i)));
    expect(store.get('s')).toMatchObject({ dropped: 2 });
    expect(store.get('s').lines.map((l) => l.text)).toEqual(['2', '3', '4']);
  });
});
