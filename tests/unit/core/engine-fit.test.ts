// The fit column of `engines` (use-cases/engine-fit.ts): stopped instances recorded on an engine, each estimate
// against that engine's free memory; running ones and unreachable engines get no verdict.
import { expect, it } from 'vitest';
import type { EngineRow, EnginesPort } from '../../../main/core/engines';
import { addStoppedFits } from '../../../main/core/use-cases/engine-fit';
import type { RegistryData } from '../../../main/shared/types';
import { FakeClock, fakeDeps, record, T0 } from './fakes';

const GiB = 1024 ** 3;

const row = (name: string, over: Partial<EngineRow>): EngineRow => ({
  name,
  kind: name === 'default' ? 'default' : 'context',
  endpoint: `ssh://${name}`,
  current: name === 'default',
  reachable: true,
  latencyMs: 3,
  version: '27.0',
  apiVersion: '1.41',
  os: 'Linux',
  cpus: 4,
  memory: { total: 16 * GiB, used: 8 * GiB, free: 8 * GiB, freeAtMost: 8 * GiB, measured: 1, running: 1 },
  sandboxes: [],
  ...over,
});

it('stopped instances on a reachable engine get a verdict; running ones and those on an unreachable engine do not', async () => {
  const seen: Record<string, number> = { 'engv--small': 2 * GiB, 'engv--big': 10 * GiB, 'engv--run': 1 * GiB, 'engv--lab': GiB };
  const engines = {
    targets: () => [],
    probe: async () => {
      throw new Error('not asked');
    },
    lastSeen: (id: string) =>
      seen[id] ? { at: new Date(T0).toISOString(), engine: 'default', memoryBytes: seen[id], containers: 2 } : null,
    remember: () => undefined,
    listContainers: async () => [],
    composeDocs: async () => [],
  } satisfies EnginesPort;
  const reg = {
    version: 2,
    instances: {
      'engv--small': record('engv--small', 1),
      'engv--big': record('engv--big', 2),
      'engv--run': record('engv--run', 3),
      'engv--lab': record('engv--lab', 4, { engine: { context: 'lab' } }),
    },
  } as unknown as RegistryData;
  const report = {
    timeoutMs: 2000,
    engines: [
      row('default', { sandboxes: [{ id: 'engv--run', registered: true, containers: 2, memoryUsed: GiB, cpuPercent: 1.5 }] }),
      row('lab', { current: false, reachable: false, error: 'no answer' }),
    ],
  };
  await addStoppedFits(fakeDeps({ engines, clock: new FakeClock() }), report, reg);
  expect(report.engines[0]!.fit).toEqual([
    { id: 'engv--big', needBytes: 10 * GiB, source: 'last-seen', fits: false },
    { id: 'engv--small', needBytes: 2 * GiB, source: 'last-seen', fits: true },
  ]);
  expect(report.engines[1]!.fit).toBeUndefined();
});
