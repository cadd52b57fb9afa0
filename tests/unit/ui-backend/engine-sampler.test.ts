// The dashboard's engine sampler (ui-backend/engine-sampler.ts) and the memory bar's scale (state-views.ts).
import { describe, expect, it } from 'vitest';
import type { EngineFacts, EnginesPort, EngineTarget } from '../../../main/core/engines';
import type { LastSeenStats } from '../../../main/core/capacity';
import { createEngineSampler } from '../../../main/ui-backend/engine-sampler';
import { memoryScale } from '../../../main/ui-backend/state-views';
import { LABEL_INSTANCE } from '../../../main/core/labels';
import { FakeClock, fakeDeps, record } from '../core/fakes';

const MiB = 1024 ** 2;
const target = (name: string, current = false): EngineTarget => ({
  name,
  kind: name === 'default' ? 'default' : 'context',
  endpoint: 'x',
  current,
});

function port(asked: string[], remembered: Record<string, LastSeenStats>): EnginesPort {
  return {
    targets: () => [target('default', true), target('lab'), target('nas')],
    async probe(t, opts): Promise<EngineFacts> {
      asked.push(t.name);
      if (t.name === 'lab') throw new Error('ssh: connect to host lab port 22: Connection refused');
      return {
        version: '20.10',
        cpus: 2,
        memTotal: 4096 * MiB,
        running: [{ id: 'c1', labels: { [LABEL_INSTANCE]: 'engv--a' } }],
        memUsage: { c1: 300 * MiB },
        ...(opts.cpu ? { cpuUsage: { c1: 12.5 } } : {}), // asked for CPU: the card shows it beside memory
      };
    },
    lastSeen: () => null,
    remember: (id, s) => {
      remembered[id] = s;
    },
    listContainers: async () => [],
    composeDocs: async () => [],
  };
}

describe('engine sampler', () => {
  it('probes only the engines of the given instances, keeps reachability and remembers measured memory; the same set at most every interval, a new one at once', async () => {
    const asked: string[] = [];
    const remembered: Record<string, LastSeenStats> = {};
    const clock = new FakeClock();
    let samples = 0;
    const s = createEngineSampler(fakeDeps({ engines: port(asked, remembered), clock }), { intervalMs: 10_000, onSample: () => samples++ });
    const recs = [record('engv--a', 1), record('engv--b', 2, { engine: { context: 'lab' } })];
    s.kick(recs);
    await s.idle();
    expect(asked.sort()).toEqual(['default', 'lab']); // not 'nas': nothing recorded there
    expect(s.engine('lab')).toEqual({ reachable: false, error: 'ssh: connect to host lab port 22: Connection refused' });
    expect(s.engine('default')).toEqual({ reachable: true });
    expect(remembered['engv--a']).toMatchObject({ engine: 'default', memoryBytes: 300 * MiB, containers: 1, cpuPercent: 12.5 });
    expect(samples).toBe(1);
    s.kick(recs); // within the interval: no second probe
    await s.idle();
    expect(asked).toHaveLength(2);
    s.kick([...recs, record('engv--c', 3, { engine: { context: 'nas' } })]); // something new to watch: at once
    await s.idle();
    expect(asked.slice(2).sort()).toEqual(['default', 'lab', 'nas']);
    s.kick(recs); // the set changed back: at once too
    await s.idle();
    expect(asked).toHaveLength(7);
    s.kick(recs);
    await s.idle();
    expect(asked).toHaveLength(7);
    clock.advance(10_000);
    s.kick(recs);
    await s.idle();
    expect(asked).toHaveLength(9);
    s.stop();
    clock.advance(10_000);
    s.kick(recs);
    await s.idle();
    expect(asked).toHaveLength(9);
  });
});

describe('engine sampler: the fit of stopped instances', () => {
  it('a stopped instance gets what it needs (last seen) against what is free on its engine; a running one none; a new start re-probes at once', async () => {
    const asked: string[] = [];
    const remembered: Record<string, LastSeenStats> = {};
    const engines = port(asked, remembered);
    engines.lastSeen = (id) =>
      id === 'engv--s' ? { at: '2026-12-06T00:00:00Z', engine: 'default', memoryBytes: 500 * MiB, containers: 3 } : null;
    const s = createEngineSampler(fakeDeps({ engines, clock: new FakeClock() }), { intervalMs: 10_000 });
    const recs = [record('engv--a', 1), record('engv--s', 2)];
    s.kick(recs, new Set(['engv--a']));
    await s.idle();
    expect(s.fit('engv--s')).toMatchObject({ engine: 'default', source: 'last-seen', freeBytes: (4096 - 300) * MiB, fits: true });
    expect(s.fit('engv--s')!.needBytes).toBeGreaterThanOrEqual(500 * MiB);
    expect(s.fit('engv--a')).toBeUndefined(); // running there: its memory bar instead
    s.kick(recs, new Set(['engv--a', 'engv--s'])); // it started: probed again at once (its memory bar)
    await s.idle();
    expect(asked).toEqual(['default', 'default']);
  });
});

describe('memory bar scale', () => {
  it('the compose limits when every started service has one; the estimate otherwise; nothing for no services', () => {
    expect(
      memoryScale([{ services: { db: { mem_limit: '512m' }, api: { deploy: { resources: { limits: { memory: '256m' } } } } } }], {}, 0),
    ).toEqual({
      ofBytes: 768 * MiB,
      of: 'limit',
    });
    expect(memoryScale([{ services: { db: { mem_limit: '${DB_MEM:-1g}' }, api: {} } }], {}, 0)).toEqual({
      ofBytes: 1280 * MiB,
      of: 'estimate',
    });
    expect(memoryScale([{ services: {} }], {}, 0)).toBeNull();
  });
});
