import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import {
  assertSlot,
  expandTemplate,
  findOutOfRange,
  findPortCollisions,
  portFor,
  portVariables,
  slotPorts,
} from '../../../main/core/ports';
import { ktrdrPreset } from '../../../main/core/preset';
import { makeManifest } from './fakes';

const byEnv = (slot: number) => portVariables(ktrdrPreset, slot);
const num = (slot: number, env: string) => Number(byEnv(slot)[env]);

describe('KTRDR preset, slot 0 (main dev env)', () => {
  it('uses the stock ports', () => {
    expect(byEnv(0)).toMatchObject({
      KTRDR_API_PORT: '8000',
      KTRDR_DB_PORT: '5432',
      KTRDR_GRAFANA_PORT: '3000',
      KTRDR_JAEGER_UI_PORT: '16686',
      KTRDR_PROMETHEUS_PORT: '9090',
      KTRDR_JAEGER_OTLP_GRPC_PORT: '4317',
      KTRDR_JAEGER_OTLP_HTTP_PORT: '4318',
      KTRDR_WORKER_PORT_1: '5003',
      KTRDR_WORKER_PORT_2: '5004',
      KTRDR_WORKER_PORT_3: '5005',
      KTRDR_WORKER_PORT_4: '5006',
    });
  });

  it('puts the design and assessment agents inside 5000-5009', () => {
    for (const env of ['KTRDR_DESIGN_AGENT_PORT', 'KTRDR_ASSESSMENT_AGENT_PORT']) {
      expect(num(0, env)).toBeGreaterThanOrEqual(5000);
      expect(num(0, env)).toBeLessThanOrEqual(5009);
    }
    expect(num(0, 'KTRDR_DESIGN_AGENT_PORT')).not.toBe(num(0, 'KTRDR_ASSESSMENT_AGENT_PORT'));
  });

  it('declares exactly the 13 port variables of the issue', () => {
    expect(Object.keys(byEnv(0)).sort()).toEqual(
      [
        'KTRDR_API_PORT',
        'KTRDR_DB_PORT',
        'KTRDR_GRAFANA_PORT',
        'KTRDR_JAEGER_UI_PORT',
        'KTRDR_PROMETHEUS_PORT',
        'KTRDR_JAEGER_OTLP_GRPC_PORT',
        'KTRDR_JAEGER_OTLP_HTTP_PORT',
        'KTRDR_WORKER_PORT_1',
        'KTRDR_WORKER_PORT_2',
        'KTRDR_WORKER_PORT_3',
        'KTRDR_WORKER_PORT_4',
        'KTRDR_DESIGN_AGENT_PORT',
        'KTRDR_ASSESSMENT_AGENT_PORT',
      ].sort(),
    );
  });
});

describe('KTRDR preset, slots 1-10', () => {
  it.each([1, 2, 5, 9, 10])('slot %i follows the formulas', (n) => {
    expect(num(n, 'KTRDR_API_PORT')).toBe(8000 + n);
    expect(num(n, 'KTRDR_DB_PORT')).toBe(5432 + n);
    expect(num(n, 'KTRDR_GRAFANA_PORT')).toBe(3000 + n);
    expect(num(n, 'KTRDR_JAEGER_UI_PORT')).toBe(16686 + n);
    expect(num(n, 'KTRDR_PROMETHEUS_PORT')).toBe(9090 + n);
    expect(num(n, 'KTRDR_JAEGER_OTLP_GRPC_PORT')).toBe(4317 + 10 * n);
    expect(num(n, 'KTRDR_JAEGER_OTLP_HTTP_PORT')).toBe(4318 + 10 * n);
    const w = 5000 + 10 * n;
    expect([1, 2, 3, 4].map((i) => num(n, `KTRDR_WORKER_PORT_${i}`))).toEqual([w, w + 1, w + 2, w + 3]);
    expect(num(n, 'KTRDR_DESIGN_AGENT_PORT')).toBe(w + 4);
    expect(num(n, 'KTRDR_ASSESSMENT_AGENT_PORT')).toBe(w + 5);
    const block = [
      'KTRDR_WORKER_PORT_1',
      'KTRDR_WORKER_PORT_2',
      'KTRDR_WORKER_PORT_3',
      'KTRDR_WORKER_PORT_4',
      'KTRDR_DESIGN_AGENT_PORT',
      'KTRDR_ASSESSMENT_AGENT_PORT',
    ];
    for (const env of block) {
      expect(num(n, env)).toBeGreaterThanOrEqual(w);
      expect(num(n, env)).toBeLessThanOrEqual(w + 9);
    }
  });

  it('slotPorts carries name, env, port and publishing service', () => {
    const api = slotPorts(ktrdrPreset, 3).find((p) => p.name === 'api');
    expect(api).toEqual({ name: 'api', env: 'KTRDR_API_PORT', port: 8003, service: 'backend' });
    const agent = slotPorts(ktrdrPreset, 3).find((p) => p.name === 'design-agent');
    expect(agent).toEqual({ name: 'design-agent', env: 'KTRDR_DESIGN_AGENT_PORT', port: 5034 });
  });
});

describe('slot validation', () => {
  it.each([-1, 11, 1.5, Number.NaN])('rejects slot %s with a USAGE error', (slot) => {
    expect(() => assertSlot(slot)).toThrow(SandboxError);
    expect(() => slotPorts(ktrdrPreset, slot)).toThrow(/Slot must be an integer from 0 to 10/);
    expect(() => portFor(ktrdrPreset.ports[0]!, slot)).toThrow(SandboxError);
    expect(() => assertSlot(slot)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it.each([0, 1, 10])('accepts slot %i', (slot) => {
    expect(assertSlot(slot)).toBe(slot);
  });
});

describe('findPortCollisions', () => {
  it('finds none in the preset: all 143 ports of slots 0-10 are distinct and valid', () => {
    expect(findPortCollisions(ktrdrPreset)).toEqual([]);
    expect(findOutOfRange(ktrdrPreset)).toEqual([]);
    const all: number[] = [];
    for (let s = 0; s <= 10; s++) all.push(...slotPorts(ktrdrPreset, s).map((p) => p.port));
    expect(all).toHaveLength(143);
    expect(new Set(all).size).toBe(143);
    for (const p of all) {
      expect(p).toBeGreaterThanOrEqual(1024);
      expect(p).toBeLessThanOrEqual(65535);
    }
  });

  it('detects overlapping port specs', () => {
    const m = makeManifest({
      ports: [
        { name: 'api', env: 'API_PORT', slot0: 8000, base: 8000, step: 1 },
        { name: 'web', env: 'WEB_PORT', slot0: 8005, base: 8100, step: 1 },
      ],
    });
    const c = findPortCollisions(m);
    expect(c).toHaveLength(1);
    expect(c[0]).toEqual({ port: 8005, a: { slot: 0, name: 'web' }, b: { slot: 5, name: 'api' } });
  });

  it('detects a step too small for a block of ports', () => {
    const m = makeManifest({
      ports: [
        { name: 'w1', env: 'W1', slot0: 6000, base: 6000, step: 1 },
        { name: 'w2', env: 'W2', slot0: 6001, base: 6001, step: 1 },
      ],
    });
    expect(findPortCollisions(m).length).toBeGreaterThan(0);
    expect(findPortCollisions(m).every((c) => c.port >= 6001 && c.port <= 6010)).toBe(true);
  });

  it('detects the same port in slot 0 of two specs', () => {
    const m = makeManifest({
      ports: [
        { name: 'a', env: 'A', slot0: 7000, base: 7100, step: 1 },
        { name: 'b', env: 'B', slot0: 7000, base: 7200, step: 1 },
      ],
    });
    expect(findPortCollisions(m)).toEqual([{ port: 7000, a: { slot: 0, name: 'a' }, b: { slot: 0, name: 'b' } }]);
  });

  it('findOutOfRange reports ports above 65535', () => {
    const m = makeManifest({ ports: [{ name: 'hi', env: 'HI', slot0: 65530, base: 65530, step: 1 }] });
    expect(findOutOfRange(m).map((o) => o.slot)).toEqual([6, 7, 8, 9, 10]);
    expect(findOutOfRange(m)[0]).toEqual({ slot: 6, name: 'hi', port: 65536 });
  });
});

describe('expandTemplate', () => {
  const vars = { KTRDR_API_PORT: '8003', HOST: 'localhost', DOLLAR: '$1 $& $$' };
  it('replaces ${VAR} and $VAR', () => {
    expect(expandTemplate('http://${HOST}:${KTRDR_API_PORT}/api/v1/docs', vars)).toBe('http://localhost:8003/api/v1/docs');
    expect(expandTemplate('http://$HOST:$KTRDR_API_PORT/x', vars)).toBe('http://localhost:8003/x');
  });
  it('leaves unknown variables alone', () => {
    expect(expandTemplate('${NOPE}/$NOPE/${HOST}', vars)).toBe('${NOPE}/$NOPE/localhost');
    expect(expandTemplate('$HOSTNAME', vars)).toBe('$HOSTNAME');
    expect(expandTemplate('${constructor} $toString', vars)).toBe('${constructor} $toString');
  });
  it('inserts values literally (no replacement patterns) and ignores lone $', () => {
    expect(expandTemplate('[${DOLLAR}]', vars)).toBe('[$1 $& $$]');
    expect(expandTemplate('cost: $5 and $ alone', vars)).toBe('cost: $5 and $ alone');
  });
});
