// Staged start: one `up -d --no-deps` per dependency level, the next level started the moment the previous
// one's own healthchecks pass — compose never waits on Docker's healthcheck interval.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import type { Compose, ComposeTarget } from '../../../main/core/deps';
import type { ProgressEvent } from '../../../main/core/events';
import type { ContainerInfo } from '../../../main/shared/types';
import { composeUpStaged, startStages } from '../../../main/core/use-cases/staged-up';
import { container, FakeClock, FakeEngine, fakeDeps } from './fakes';

const FILE = `
services:
  db:
    healthcheck: { test: ["CMD", "pg_isready"], interval: 10s, timeout: 5s }
  backend:
    depends_on: { db: { condition: service_healthy } }
    healthcheck: { test: ["CMD-SHELL", "curl -f localhost:8000"], interval: 30s }
  worker:
    depends_on: { backend: { condition: service_healthy }, cache: { condition: service_started } }
  cache: {}
  grafana: {}
  migrate:
    depends_on: { db: { condition: service_healthy } }
  api2:
    depends_on: { migrate: { condition: service_completed_successfully } }
`;
const model = composeModelFromTexts(['c.yml'], [FILE], parse);
const target: ComposeTarget = { project: 'proj', projectDir: '/x', files: ['c.yml'], envFile: '/x/.env' };

describe('startStages', () => {
  it('puts a service one level after what it must wait for, on the same level as what it only needs started', () => {
    expect(startStages(model, ['db', 'backend', 'worker', 'cache', 'grafana', 'migrate', 'api2'])).toEqual([
      ['db', 'cache', 'grafana'],
      ['backend', 'migrate'],
      ['worker', 'api2'],
    ]);
  });
  it('ignores dependencies outside the started set (profiles) and has one level without conditions', () => {
    expect(startStages(model, ['backend', 'grafana'])).toEqual([['backend', 'grafana']]);
  });
});

function world(opts: { dbReadyAt: number; backendReadyAt: number; dbExitsAt?: number }) {
  const clock = new FakeClock();
  const started = new Map<string, number>();
  const ups: { at: number; services: string[]; noDeps?: boolean }[] = [];
  const compose = {
    up: async (_t: ComposeTarget, o: { services?: string[]; noDeps?: boolean }) => {
      await clock.sleep(500); // compose's own start-up
      ups.push({ at: clock.elapsed(), services: o.services ?? [], noDeps: o.noDeps });
      for (const s of o.services ?? []) started.set(s, clock.elapsed());
    },
  } as unknown as Compose;
  const list = (): ContainerInfo[] =>
    [...started.keys()].map((s) => {
      if (s === 'db' && opts.dbExitsAt !== undefined && clock.elapsed() >= opts.dbExitsAt)
        return container(s, { state: 'exited', status: 'Exited (1) 1 second ago' });
      // Docker's own clock: healthy only at the service's first interval (10 s / 30 s after start)
      const first = s === 'db' ? 10_000 : s === 'backend' ? 30_000 : 0;
      const health = first === 0 ? 'none' : clock.elapsed() - started.get(s)! >= first ? 'healthy' : 'starting';
      return container(s, { health });
    });
  const engine = new FakeEngine(list, (id, cmd) => {
    const readyAt = id.endsWith('-db') ? opts.dbReadyAt : opts.backendReadyAt;
    return { exitCode: clock.elapsed() >= readyAt ? 0 : 1, output: `${cmd[0]}: not yet` };
  });
  const events: ProgressEvent[] = [];
  const run = () =>
    composeUpStaged(
      fakeDeps({ engine, compose, clock }),
      target,
      model,
      { services: ['db', 'backend', 'worker', 'cache'], timeoutMs: 60_000, vars: {} },
      (e) => events.push(e),
      'proj',
    );
  return { clock, ups, run, events, engine };
}

describe('composeUpStaged', () => {
  it('starts each level the moment the previous one is ready by its own healthcheck, with --no-deps', async () => {
    const w = world({ dbReadyAt: 2_000, backendReadyAt: 4_000 });
    const r = await w.run();
    expect(r.complete).toBe(true);
    expect(w.ups.map((u) => [u.services, u.noDeps])).toEqual([
      [['db', 'cache'], true],
      [['backend'], true],
      [['worker'], true],
    ]);
    // db ready at 2 s (probe every 250 ms, ×1.5 back-off) → backend started ~0.5 s (compose) later, not at Docker's 10 s
    expect(w.ups[1]!.at).toBeGreaterThanOrEqual(2_500);
    expect(w.ups[1]!.at).toBeLessThan(3_500);
    expect(w.ups[2]!.at).toBeGreaterThanOrEqual(4_500);
    expect(w.ups[2]!.at).toBeLessThan(6_000);
    const labels = w.events.flatMap((e) => (e.type === 'step' ? [e.label] : []));
    expect(labels[0]).toMatch(/^db ready \(its healthcheck passed; Docker still says starting\) after \d/);
  });

  it("takes Docker's word when it comes first", async () => {
    const w = world({ dbReadyAt: 99_000, backendReadyAt: 99_000 });
    const r = await w.run();
    expect(r.complete).toBe(true);
    expect(w.ups[1]!.at).toBeGreaterThanOrEqual(10_500);
    expect(w.ups[1]!.at).toBeLessThan(11_500);
  });

  it('a dependency that exits stops the staging at once: later levels are not started, the gate will say why', async () => {
    const w = world({ dbReadyAt: 99_000, backendReadyAt: 99_000, dbExitsAt: 1_000 });
    const r = await w.run();
    expect(r.complete).toBe(false);
    expect(w.ups).toHaveLength(1);
    expect(w.clock.elapsed()).toBeLessThan(2_500);
    const warn = w.events.find((e) => e.type === 'step' && e.state === 'warning');
    expect(warn).toMatchObject({ label: 'not starting backend, worker: db exited with code 1 (Exited (1) 1 second ago)' });
  });
});
