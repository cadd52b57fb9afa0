import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { EngineRow } from '../../../main/core/engines';
import {
  capacityBeforeUp,
  CAPACITY_RESERVE,
  checkFit,
  composeMemoryLimits,
  DEFAULT_SERVICE_MEMORY,
  estimateStackMemory,
  parseMemory,
  type EngineCapacity,
  type MemoryEstimate,
} from '../../../main/core/capacity';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const NOW = Date.parse('2026-12-06T12:00:00Z');

it('parseMemory reads compose / docker byte values', () => {
  expect(parseMemory(1024)).toBe(1024);
  expect(parseMemory('1024')).toBe(1024);
  expect(parseMemory('512m')).toBe(512 * MiB);
  expect(parseMemory('512M')).toBe(512 * MiB);
  expect(parseMemory('1.5g')).toBe(1.5 * GiB);
  expect(parseMemory('2gb')).toBe(2 * GiB);
  expect(parseMemory('1GiB')).toBe(GiB);
  expect(parseMemory('300k')).toBe(300 * 1024);
  expect(parseMemory('10b')).toBe(10);
  for (const bad of ['', 'lots', '-1g', '1x', '${MEM}', null, undefined, {}, -5]) expect(parseMemory(bad)).toBeUndefined();
});

const compose = `
services:
  db:
    image: postgres
    deploy:
      resources:
        limits:
          memory: 1g
    mem_limit: 2g
  backend:
    image: api
    mem_limit: \${BACKEND_MEM:-768m}
  worker:
    image: api
    deploy:
      replicas: 3
      resources:
        limits: { memory: 256m }
  grafana:
    image: grafana
  e2e:
    image: api
    profiles: [test]
    mem_limit: 4g
`;

describe('composeMemoryLimits', () => {
  it('deploy limit over mem_limit, × replicas, variables with defaults, no limit = undefined', () => {
    const s = Object.fromEntries(composeMemoryLimits([parse(compose)]).map((x) => [x.name, x]));
    expect(s.db!.limit).toBe(GiB);
    expect(s.backend!.limit).toBe(768 * MiB);
    expect(s.worker).toMatchObject({ limit: 3 * 256 * MiB, replicas: 3 });
    expect(s.grafana!.limit).toBeUndefined();
    expect(s.e2e!.profiles).toEqual(['test']);
  });
  it('the environment fills variables; a later file overrides an earlier one', () => {
    const override = parse('services:\n  grafana:\n    mem_limit: 128m\n  db:\n    deploy: { resources: { limits: { memory: 3g } } }\n');
    const s = Object.fromEntries(composeMemoryLimits([parse(compose), override], { BACKEND_MEM: '2g' }).map((x) => [x.name, x.limit]));
    expect(s).toMatchObject({ backend: 2 * GiB, grafana: 128 * MiB, db: 3 * GiB });
  });
  it('tolerates files without services and garbage values', () => {
    expect(composeMemoryLimits([null, 'text', { services: { a: 'x', b: { mem_limit: 'lots' } } }])).toEqual([
      { name: 'b', replicas: 1, profiles: [] },
    ]);
  });
});

describe('estimateStackMemory', () => {
  const services = composeMemoryLimits([parse(compose)]);
  it('last seen wins (fresh or old, flagged)', () => {
    expect(
      estimateStackMemory({
        lastSeen: { at: '2026-12-06T11:00:00Z', engine: 'default', memoryBytes: 2.5 * GiB, containers: 7 },
        services,
        now: NOW,
      }),
    ).toEqual({
      bytes: 2.5 * GiB,
      source: 'last-seen',
      at: '2026-12-06T11:00:00Z',
      stale: false,
    });
    expect(
      estimateStackMemory({ lastSeen: { at: '2026-10-01T00:00:00Z', engine: 'd', memoryBytes: GiB, containers: 1 }, services, now: NOW })
        .stale,
    ).toBe(true);
  });
  it('else the compose limits, the default for services without one, profiled services left out', () => {
    const e = estimateStackMemory({ lastSeen: null, services, now: NOW });
    expect(e.source).toBe('compose-limits');
    expect(e.bytes).toBe(GiB + 768 * MiB + 768 * MiB + DEFAULT_SERVICE_MEMORY);
    expect(e.services!.find((s) => s.name === 'grafana')).toEqual({ name: 'grafana', bytes: DEFAULT_SERVICE_MEMORY, from: 'default' });
    expect(e.services!.some((s) => s.name === 'e2e')).toBe(false);
  });
  it('else the default per service; a zero last-seen is no measurement', () => {
    const e = estimateStackMemory({
      lastSeen: { at: 'x', engine: 'd', memoryBytes: 0, containers: 0 },
      services: composeMemoryLimits([parse('services: {a: {image: x}, b: {image: y}}')]),
      now: NOW,
    });
    expect(e).toMatchObject({ source: 'default', bytes: 2 * DEFAULT_SERVICE_MEMORY });
  });
});

describe('checkFit', () => {
  const est: MemoryEstimate = { bytes: 3 * GiB, source: 'last-seen', at: '2026-12-06T11:00:00Z', stale: false };
  const engines: EngineCapacity[] = [
    { name: 'default', reachable: true, memory: { total: 16 * GiB, free: 2 * GiB } },
    { name: 'small', reachable: true, memory: { total: 8 * GiB, free: 3 * GiB } }, // 3 GiB + reserve does not fit
    { name: 'lab', reachable: true, memory: { total: 64 * GiB, free: 40 * GiB } },
    { name: 'nas', reachable: true, memory: { total: 32 * GiB, free: 10 * GiB } },
    { name: 'away', reachable: false, memory: { total: null, free: null } },
  ];
  it('refuses when need + reserve exceeds free, naming the engines that would fit, most free first', () => {
    const v = checkFit('ktrdr--a', est, 'default', engines);
    expect(v).toMatchObject({ fits: false, engine: 'default', needBytes: 3 * GiB, freeBytes: 2 * GiB, alternatives: ['lab', 'nas'] });
    expect(v.message).toBe(
      'ktrdr--a does not fit on engine "default": it needs last seen using 3.0 GiB + 512 MiB reserve, and 2.0 GiB is free. It would fit on: lab, nas.',
    );
    expect(v.hint).toMatch(/--force/);
  });
  it('fits with the reserve exactly; the reserve is configurable', () => {
    const exact: EngineCapacity[] = [{ name: 'e', reachable: true, memory: { total: 8 * GiB, free: 3 * GiB + CAPACITY_RESERVE } }];
    expect(checkFit('i', est, 'e', exact).fits).toBe(true);
    expect(checkFit('i', est, 'small', engines).fits).toBe(false);
    expect(checkFit('i', est, 'small', engines, 0).fits).toBe(true);
  });
  it('an `up` of a running stack counts what it already uses there', () => {
    const running: EngineCapacity[] = [
      {
        name: 'default',
        reachable: true,
        memory: { total: 16 * GiB, free: 1 * GiB },
        sandboxes: [{ id: 'ktrdr--a', memoryUsed: 2.8 * GiB }],
      },
    ];
    const v = checkFit('ktrdr--a', est, 'default', running);
    expect(v.needBytes).toBeCloseTo(0.2 * GiB, -3);
    expect(v.fits).toBe(true);
  });
  it('free memory unknown (or engine unreachable / not listed): unknown, never a refusal', () => {
    expect(checkFit('i', est, 'away', engines)).toMatchObject({ fits: null, alternatives: ['lab', 'nas'] });
    expect(checkFit('i', est, 'nowhere', engines).fits).toBeNull();
    expect(checkFit('i', est, 'away', engines).message).toMatch(/unknown/);
  });
  it('free unknown but its upper bound already too small: certainly does not fit', () => {
    const partial: EngineCapacity[] = [
      { name: 'busy', reachable: true, memory: { total: 16 * GiB, free: null, freeAtMost: 2 * GiB } },
      { name: 'maybe', reachable: true, memory: { total: 16 * GiB, free: null, freeAtMost: 10 * GiB } },
    ];
    const v = checkFit('i', est, 'busy', partial);
    expect(v).toMatchObject({ fits: false, alternatives: [] });
    expect(v.message).toMatch(/at most 2\.0 GiB is free/);
    expect(checkFit('i', est, 'maybe', partial).fits).toBeNull(); // could fit: not refused on a guess
  });
  it('no engine has room: says so', () => {
    expect(checkFit('i', { bytes: 100 * GiB, source: 'default', services: [] }, 'default', engines).message).toMatch(
      /No other reachable engine has room/,
    );
  });
});

describe('capacityBeforeUp', () => {
  // engines as `engines` reports them (core/engines.ts EngineRow), used as they are
  const row = (name: string, free: number | null, sandboxes: EngineRow['sandboxes'] = []): EngineRow => ({
    name,
    kind: name === 'default' ? 'default' : 'context',
    endpoint: `ssh://${name}`,
    current: name === 'default',
    reachable: true,
    latencyMs: 10,
    version: '27.0.0',
    apiVersion: '1.47',
    os: 'Linux',
    cpus: 4,
    memory: { total: 16 * GiB, used: null, free, freeAtMost: free ?? 16 * GiB, measured: 0, running: 0 },
    sandboxes,
  });
  const docs = [parse('services:\n  api: {image: x, mem_limit: 3g}\n  db: {image: y, mem_limit: 2g}\n')];
  const base = { instanceId: 'ktrdr--a', engine: 'default', lastSeen: null, composeDocs: docs, env: {}, now: NOW, force: false };

  it('refuses a stack whose compose limits exceed the free memory, naming where it fits; --force lets it start', () => {
    const engines = [row('default', 4 * GiB), row('lab', 12 * GiB)];
    const r = capacityBeforeUp({ ...base, engines });
    expect(r.refuse).toBe(true);
    expect(r.verdict).toMatchObject({ fits: false, needBytes: 5 * GiB, alternatives: ['lab'] });
    expect(r.verdict.estimate.source).toBe('compose-limits');
    expect(capacityBeforeUp({ ...base, engines, force: true })).toMatchObject({ refuse: false, verdict: { fits: false } });
  });
  it('last-seen memory beats the limits; an unknown free figure never refuses', () => {
    const lastSeen = { at: '2026-12-06T11:00:00Z', engine: 'default', memoryBytes: 1 * GiB, containers: 2 };
    expect(capacityBeforeUp({ ...base, lastSeen, engines: [row('default', 4 * GiB)] })).toMatchObject({
      refuse: false,
      verdict: { fits: true, needBytes: GiB },
    });
    expect(capacityBeforeUp({ ...base, engines: [row('default', null)] })).toMatchObject({ refuse: false, verdict: { fits: null } });
  });
});
