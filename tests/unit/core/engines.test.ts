import { describe, expect, it } from 'vitest';
import {
  cpuPercent,
  formatBytes,
  memoryOf,
  probeEngines,
  sandboxesOn,
  type EngineFacts,
  type EngineProbe,
  type EngineTarget,
} from '../../../main/core/engines';
import { COMPOSE_PROJECT_LABEL, LABEL_INSTANCE } from '../../../main/core/labels';
import { FakeClock } from './fakes';

const GiB = 1024 ** 3;
const target = (name: string, extra: Partial<EngineTarget> = {}): EngineTarget => ({
  name,
  kind: 'context',
  endpoint: `ssh://root@${name}`,
  current: false,
  ...extra,
});

const facts = (over: Partial<EngineFacts> = {}): EngineFacts => ({
  version: '27.0.1',
  cpus: 8,
  memTotal: 16 * GiB,
  running: [
    { id: 'a1', labels: { [LABEL_INSTANCE]: 'ktrdr--a', [COMPOSE_PROJECT_LABEL]: 'ktrdr--a' } },
    { id: 'a2', labels: { [LABEL_INSTANCE]: 'ktrdr--a', [COMPOSE_PROJECT_LABEL]: 'ktrdr--a' } },
    { id: 'b1', labels: { [COMPOSE_PROJECT_LABEL]: 'ktrdr--b' } }, // registered, older containers without our label
    { id: 'x1', labels: { [COMPOSE_PROJECT_LABEL]: 'someone-else' } },
    { id: 'y1', labels: {} },
  ],
  memUsage: { a1: 1 * GiB, a2: 0.5 * GiB, b1: 0.25 * GiB, x1: 2 * GiB, y1: 0.25 * GiB },
  ...over,
});

describe('sandboxesOn', () => {
  it('groups by our instance label, else by a compose project in the registry; others are not sandboxes', () => {
    const s = sandboxesOn(facts(), new Set(['ktrdr--a', 'ktrdr--b']));
    expect(s).toEqual([
      { id: 'ktrdr--a', registered: true, containers: 2, memoryUsed: 1.5 * GiB, cpuPercent: null },
      { id: 'ktrdr--b', registered: true, containers: 1, memoryUsed: 0.25 * GiB, cpuPercent: null },
    ]);
  });
  it('CPU is the sum over its containers, null unless every one was read twice in time', () => {
    const s = sandboxesOn(facts({ cpuUsage: { a1: 12.5, a2: 0.3, x1: 50 } }), new Set(['ktrdr--a', 'ktrdr--b']));
    expect(s.map((x) => [x.id, x.cpuPercent])).toEqual([
      ['ktrdr--a', 12.8],
      ['ktrdr--b', null],
    ]);
  });
  it('a labelled sandbox of another registry is listed as not registered; unmeasured memory is null', () => {
    const s = sandboxesOn(facts({ memUsage: { a1: GiB } }), new Set());
    expect(s).toEqual([{ id: 'ktrdr--a', registered: false, containers: 2, memoryUsed: null, cpuPercent: null }]);
  });
});

describe('cpuPercent', () => {
  it('as docker stats: Δ container / Δ host × CPUs online, in % of one core', () => {
    expect(cpuPercent({ total: 0, system: 0, cpus: 4 }, { total: 250, system: 1000, cpus: 4 })).toBe(100);
    expect(cpuPercent({ total: 100, system: 1000, cpus: 2 }, { total: 105, system: 2000, cpus: 2 })).toBe(1);
  });
  it('no figure when the readings cannot be compared (same tick, counters reset)', () => {
    expect(cpuPercent({ total: 5, system: 1000, cpus: 2 }, { total: 5, system: 1000, cpus: 2 })).toBeUndefined();
    expect(cpuPercent({ total: 500, system: 1000, cpus: 2 }, { total: 5, system: 2000, cpus: 2 })).toBeUndefined();
  });
});

describe('memoryOf', () => {
  it('free = total − Σ used when every running container was measured', () => {
    expect(memoryOf(facts())).toEqual({ total: 16 * GiB, used: 4 * GiB, free: 12 * GiB, freeAtMost: 12 * GiB, measured: 5, running: 5 });
  });
  it('free is unknown (null) when some were not measured in time; its upper bound is still known', () => {
    const m = memoryOf(facts({ memUsage: { a1: GiB } }));
    expect(m).toMatchObject({ used: GiB, free: null, freeAtMost: 15 * GiB, measured: 1, running: 5 });
  });
  it('an idle engine: all of it free', () => {
    expect(memoryOf(facts({ running: [], memUsage: {} }))).toEqual({
      total: 16 * GiB,
      used: 0,
      free: 16 * GiB,
      freeAtMost: 16 * GiB,
      measured: 0,
      running: 0,
    });
  });
  it('never negative', () => {
    expect(memoryOf(facts({ memTotal: GiB })).free).toBe(0);
  });
});

describe('probeEngines', () => {
  it('probes all engines at once; a hung one is unreachable at the deadline and does not delay the others', async () => {
    const clock = new FakeClock();
    const started: number[] = [];
    const probe: EngineProbe = async (t, { signal }) => {
      started.push(clock.now());
      if (t.name === 'hung') return new Promise<EngineFacts>(() => undefined);
      if (t.name === 'refused') throw new Error('connect ECONNREFUSED 127.0.0.1:2222\nmore');
      await clock.sleep(300, signal);
      return facts();
    };
    const r = await probeEngines(
      [
        target('default', { kind: 'default', current: true }),
        target('hung'),
        target('refused'),
        target('bad', { invalid: 'no docker endpoint' }),
      ],
      probe,
      clock,
      new Set(['ktrdr--a']),
    );
    expect(started).toEqual([0, 0, 0].map(() => clock.now() - 2000)); // all started together (the bad one is not probed)
    expect(clock.now() - started[0]!).toBe(2000); // the whole listing took the deadline, not the sum
    const by = Object.fromEntries(r.engines.map((e) => [e.name, e]));
    expect(by.default).toMatchObject({ reachable: true, current: true, version: '27.0.1', cpus: 8, latencyMs: 300 });
    expect(by.default!.sandboxes.map((s) => s.id)).toEqual(['ktrdr--a']);
    expect(by.hung).toMatchObject({ reachable: false, error: 'no answer within 2000 ms', latencyMs: 2000, version: null });
    expect(by.refused).toMatchObject({ reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:2222', latencyMs: 0 });
    expect(by.bad).toMatchObject({ reachable: false, error: 'no docker endpoint' });
    expect(r.engines.map((e) => e.name)).toEqual(['default', 'hung', 'refused', 'bad']); // order kept
  });
  it('aborts the probe it gave up on', async () => {
    const clock = new FakeClock();
    let aborted = false;
    const probe: EngineProbe = (_t, { signal }) =>
      new Promise<EngineFacts>(() => {
        signal.addEventListener('abort', () => (aborted = true));
      });
    await probeEngines([target('hung')], probe, clock, new Set(), 500);
    expect(aborted).toBe(true);
  });
});

it('formatBytes', () => {
  expect(formatBytes(null)).toBe('?');
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1.5 * GiB)).toBe('1.5 GiB');
  expect(formatBytes(24 * GiB)).toBe('24 GiB');
});
