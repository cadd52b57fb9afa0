import { expect, it } from 'vitest';
import { memoryInUse } from '../../../main/adapters/engine-probe';

it('memoryInUse counts like `docker stats`: usage minus the inactive page cache (cgroup v1 and v2)', () => {
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { total_inactive_file: 300, cache: 500 } } })).toBe(700); // v1
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { inactive_file: 200 } } })).toBe(800); // v2
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { inactive_file: 5000 } } })).toBe(1000); // never below 0
  expect(memoryInUse({ memory_stats: { usage: 1000 } })).toBe(1000);
  expect(memoryInUse({ memory_stats: {} })).toBeUndefined(); // stopped meanwhile
  expect(memoryInUse({})).toBeUndefined();
});
