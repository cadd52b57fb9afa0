import { expect, it } from 'vitest';
import { cpuSample, memoryInUse } from '../../../main/adapters/engine-probe';

it('memoryInUse counts like `docker stats`: usage minus the inactive page cache (cgroup v1 and v2)', () => {
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { total_inactive_file: 300, cache: 500 } } })).toBe(700); // v1
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { inactive_file: 200 } } })).toBe(800); // v2
  expect(memoryInUse({ memory_stats: { usage: 1000, stats: { inactive_file: 5000 } } })).toBe(1000); // never below 0
  expect(memoryInUse({ memory_stats: { usage: 1000 } })).toBe(1000);
  expect(memoryInUse({ memory_stats: {} })).toBeUndefined(); // stopped meanwhile
  expect(memoryInUse({})).toBeUndefined();
});

it('cpuSample reads the counters a second reading is compared with; none without the host counter', () => {
  const cpu_stats = { cpu_usage: { total_usage: 5e9 }, system_cpu_usage: 9e12, online_cpus: 2 };
  expect(cpuSample({ cpu_stats })).toEqual({ total: 5e9, system: 9e12, cpus: 2 });
  expect(cpuSample({ cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 2] }, system_cpu_usage: 9 } })).toMatchObject({
    cpus: 3,
  });
  expect(cpuSample({ cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 0 } })).toBeUndefined(); // stopped meanwhile
  expect(cpuSample({})).toBeUndefined();
});
