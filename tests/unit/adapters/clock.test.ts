import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../main/adapters/clock';

describe('systemClock', () => {
  it('now and sleep', async () => {
    const t0 = systemClock.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(15);
  });
  it('sleep is abortable', async () => {
    const ac = new AbortController();
    const p = systemClock.sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(systemClock.sleep(10, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
