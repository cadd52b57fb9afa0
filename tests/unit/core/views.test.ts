import { describe, expect, it } from 'vitest';
import { ktrdrPreset } from '../../../main/core/preset';
import { portVariables } from '../../../main/core/ports';
import { buildView, countContainers, linksFor, relativeTime, statusOf, summariseGate } from '../../../main/core/views';
import type { GateReport } from '../../../main/shared/types';
import { container, record } from './fakes';

describe('countContainers', () => {
  it('counts running and healthy (no healthcheck counts as healthy), ignoring one-off containers', () => {
    const cs = [
      container('db', { health: 'healthy' }),
      container('backend', { health: 'starting' }),
      container('worker-1', { health: 'unhealthy' }),
      container('grafana'),
      container('jaeger', { state: 'exited' }),
      container('backend', { id: 'run1', oneOff: true }),
    ];
    expect(countContainers(cs, 3)).toEqual({ running: 4, healthy: 2, total: 5 });
  });

  it('total is at least the expected number of services', () => {
    expect(countContainers([container('db')], 8)).toEqual({ running: 1, healthy: 1, total: 8 });
    expect(countContainers([], 8)).toEqual({ running: 0, healthy: 0, total: 8 });
  });
});

describe('statusOf', () => {
  it('missing when the directory is gone, whatever runs', () => {
    expect(statusOf(false, { running: 8, healthy: 8, total: 8 })).toBe('missing');
  });
  it('stopped when nothing runs', () => {
    expect(statusOf(true, { running: 0, healthy: 0, total: 8 })).toBe('stopped');
  });
  it('running when all expected containers run', () => {
    expect(statusOf(true, { running: 8, healthy: 5, total: 8 })).toBe('running');
  });
  it('partial when some run', () => {
    expect(statusOf(true, { running: 3, healthy: 3, total: 8 })).toBe('partial');
    expect(statusOf(true, countContainers([container('db'), container('backend', { state: 'exited' })], 2))).toBe('partial');
  });
});

describe('linksFor', () => {
  it('expands the preset links with the slot variables', () => {
    expect(linksFor(ktrdrPreset, portVariables(ktrdrPreset, 4))).toEqual([
      { name: 'api', label: 'API docs', url: 'http://localhost:8004/api/v1/docs' },
      { name: 'grafana', label: 'Grafana', url: 'http://localhost:3004' },
      { name: 'jaeger', label: 'Jaeger', url: 'http://localhost:16690' },
      { name: 'prometheus', label: 'Prometheus', url: 'http://localhost:9094' },
    ]);
  });
  it('slot 0 gives the stock URLs; unknown variables stay visible', () => {
    expect(linksFor(ktrdrPreset, portVariables(ktrdrPreset, 0))[0]!.url).toBe('http://localhost:8000/api/v1/docs');
    expect(linksFor(ktrdrPreset, {})[1]!.url).toBe('http://localhost:${KTRDR_GRAFANA_PORT}');
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-06-10T12:00:00.000Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  it.each([
    [0, '0s ago'],
    [59_000, '59s ago'],
    [60_000, '1m ago'],
    [150_000, '3m ago'],
    [59 * 60_000, '59m ago'],
    [60 * 60_000, '1h ago'],
    [5 * 3_600_000, '5h ago'],
    [47 * 3_600_000, '47h ago'],
    [48 * 3_600_000, '2d ago'],
    [30 * 86_400_000, '30d ago'],
    [-5_000, '0s ago'],
  ])('%i ms → %s', (ms, text) => {
    expect(relativeTime(ago(ms), now)).toBe(text);
  });
});

describe('summariseGate / buildView', () => {
  const report: GateReport = {
    instance: 'a',
    passed: false,
    startedAt: '2025-01-01T00:00:00.000Z',
    elapsedMs: 1234,
    timeoutMs: 180_000,
    logTails: {},
    checks: [
      { name: 'db', label: 'db', state: 'passed', message: '', attempts: 1, startedAt: 0, elapsedMs: 1, services: [] },
      { name: 'backend', label: 'b', state: 'failed', message: 'x', attempts: 3, startedAt: 0, elapsedMs: 1, services: [] },
      { name: 'workers', label: 'w', state: 'skipped', message: '', attempts: 0, startedAt: 0, elapsedMs: 1, services: [] },
    ],
  };
  it('summarises a gate report', () => {
    expect(summariseGate(null)).toBeNull();
    expect(summariseGate(report)).toEqual({ passed: false, at: '2025-01-01T00:00:00.000Z', elapsedMs: 1234, failed: ['backend'] });
  });
  it('builds the instance view', () => {
    const rec = record('ktrdr--x', 2);
    const v = buildView({
      rec,
      manifest: ktrdrPreset,
      vars: portVariables(ktrdrPreset, 2),
      containers: [container('db'), container('backend')],
      expectedServices: 4,
      dirExists: true,
      lastGate: report,
    });
    expect(v).toMatchObject({ id: 'ktrdr--x', slot: 2, kind: 'worktree', branch: 'ktrdr--x', status: 'partial', dirExists: true });
    expect(v.containers).toEqual({ running: 2, healthy: 2, total: 4 });
    expect(v.ports.find((p) => p.name === 'api')?.port).toBe(8002);
    expect(v.links[0]!.url).toBe('http://localhost:8002/api/v1/docs');
    expect(v.lastGate?.failed).toEqual(['backend']);
  });
});

describe('a service the passed gate proved ready by its own healthcheck', () => {
  it('counts as healthy while Docker still says starting; unhealthy never does', async () => {
    const { countContainers, provenReadyServices } = await import('../../../main/core/views');
    const base = { id: 'x', name: 'x', project: 'p', state: 'running' as const, status: 'Up', ports: [], oneOff: false };
    const cs = [
      { ...base, service: 'db', health: 'starting' as const },
      { ...base, service: 'web', health: 'starting' as const },
      { ...base, service: 'worker', health: 'unhealthy' as const },
    ];
    const report = {
      instance: 'p',
      passed: true,
      startedAt: '',
      elapsedMs: 1,
      timeoutMs: 1,
      checks: [],
      logTails: {},
      readiness: {
        db: { ready: true, source: 'probe' as const, dockerHealth: 'starting' as const },
        web: { ready: true, source: 'running' as const, dockerHealth: 'starting' as const },
        worker: { ready: true, source: 'probe' as const, dockerHealth: 'unhealthy' as const },
      },
    };
    expect([...provenReadyServices(report)].sort()).toEqual(['db', 'worker']);
    expect(countContainers(cs, 3, provenReadyServices(report)).healthy).toBe(1); // db only
    expect(countContainers(cs, 3, provenReadyServices({ ...report, passed: false })).healthy).toBe(0);
    expect(countContainers(cs, 3).healthy).toBe(0);
  });

  it('status says both words for it: ready by the gate, starting for Docker; any other health as Docker says', async () => {
    const { healthLabel } = await import('../../../main/core/views');
    const proven = new Set(['db']);
    expect(healthLabel('db', 'starting', proven)).toBe('ready (gate) · Docker: starting');
    expect(healthLabel('web', 'starting', proven)).toBe('starting');
    expect(healthLabel('db', 'unhealthy', proven)).toBe('unhealthy');
    expect(healthLabel('db', 'healthy', proven)).toBe('healthy');
    expect(healthLabel('cache', 'none', proven)).toBe('-');
  });
});
