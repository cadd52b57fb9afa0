import { describe, expect, it } from 'vitest';
import { CONTAINERS_CHECK } from '../../../main/core/gate';
import { API, check, container, gateHarness } from './fakes';

const never = { name: 'backend', http: { url: `${API}/api/v1/health` }, service: 'backend' };
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('runGate: containers check', () => {
  it('a gated container exited for ≥ 3 s fails the gate early, naming it, with its last 30 log lines', async () => {
    const g = gateHarness({
      checks: [never],
      timeout: 180,
      containers: [container('db', { health: 'healthy' }), container('backend', { state: 'exited', status: 'Exited (1) 1 second ago' })],
      http: () => ({ status: 502 }),
      logs: { 'id-proj-backend': lines(45), 'id-proj-db': ['db fine'] },
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    const c = check(r, CONTAINERS_CHECK);
    expect(c.state).toBe('failed');
    expect(c.message).toBe('1/2 healthy; backend exited (Exited (1) 1 second ago)');
    expect(c.services).toEqual(['backend']);
    expect(c.details).toEqual(['✓ db: healthy', '✗ backend: exited (Exited (1) 1 second ago)']);
    expect(c.elapsedMs).toBeGreaterThanOrEqual(3_000);
    expect(r.elapsedMs).toBeLessThan(4_000);
    expect(check(r, 'backend').state).toBe('skipped');
    expect(r.logTails.backend).toEqual(lines(45).slice(-30));
    expect(r.logTails.db).toBeUndefined();
    expect(g.engine.logCalls).toContainEqual({ containerId: 'id-proj-backend', tail: 30 });
  });

  it('counts the 3 s from when the container was first seen exited', async () => {
    const g = gateHarness({
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 5_000 ? 'running' : 'exited' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(true); // passes at t=0 while backend runs
    const late = gateHarness({
      checks: [never],
      http: () => ({ status: 503 }),
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 5_000 ? 'created' : 'exited' })],
    });
    const r2 = await late.run();
    expect(check(r2, CONTAINERS_CHECK).state).toBe('failed');
    expect(r2.elapsedMs).toBeGreaterThanOrEqual(8_000);
    expect(r2.elapsedMs).toBeLessThan(9_000);
  });

  // The containers check keeps watching once it has passed: a gated container without a healthcheck is
  // "running" at t=0, so the check passes at once; if it then crashes while other checks are still waiting, the
  // gate fails ~3 s after the exit instead of waiting for its full deadline (180 s here).
  it('a gated container that exits after the containers check first passed still ends the gate early', async () => {
    const g = gateHarness({
      checks: [never],
      timeout: 180,
      http: () => ({ status: 502 }),
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 1_000 ? 'running' : 'exited' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(r.elapsedMs).toBeLessThan(10_000);
    expect(check(r, CONTAINERS_CHECK).state).toBe('failed');
    expect(check(r, CONTAINERS_CHECK).message).toMatch(/backend exited/);
  });

  it('a container that exits briefly and is restarted does not fail the gate', async () => {
    const g = gateHarness({
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 2_000 ? 'exited' : 'running', health: 'healthy' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, CONTAINERS_CHECK).attempts).toBeGreaterThan(1);
  });

  it('waits for a gated container that is starting or unhealthy, until healthy', async () => {
    const g = gateHarness({
      containers: (clock) => [
        container('db', { health: clock.elapsed() < 1_000 ? 'starting' : 'healthy' }),
        container('backend', { health: clock.elapsed() < 4_000 ? 'unhealthy' : 'healthy' }),
      ],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, CONTAINERS_CHECK).elapsedMs).toBeGreaterThanOrEqual(4_000);
  });

  it('a gated container that stays unhealthy or missing times out', async () => {
    const g = gateHarness({ timeoutMs: 2_000, containers: [container('db', { health: 'unhealthy' })] });
    const r = await g.run();
    const c = check(r, CONTAINERS_CHECK);
    expect(c.state).toBe('failed');
    expect(c.message).toBe('timed out after 2s: 0/2 healthy; db unhealthy, backend no container');
    expect(c.services).toEqual(['db', 'backend']);
  });

  it('judges health from a fresh listing, not one an exec check took up to half an interval earlier', async () => {
    // The exec check (100 ms per exec, failing until 2 s) lists at t = 0, 350, 700, …; the containers check
    // looks at 0, 250, 500, 750, … Backend turns healthy at 720: seen at 750 (a 700 listing would say unhealthy).
    const g = gateHarness({
      checks: [{ name: 'be', exec: { service: 'backend', command: ['true'] } }],
      containers: (clock) => [container('db'), container('backend', { health: clock.elapsed() < 720 ? 'starting' : 'healthy' })],
      exec: async (_id, _cmd, clock) => {
        await clock.sleep(100);
        return { exitCode: clock.elapsed() < 2_000 ? 1 : 0, output: '' };
      },
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, CONTAINERS_CHECK).elapsedMs).toBe(750);
    expect(g.engine.listCalls).toBeLessThanOrEqual(12); // still about one listing per exec attempt and per look
  });

  it('a non-gated unhealthy or exited service is reported but does not fail the gate', async () => {
    const g = gateHarness({
      services: ['db', 'backend', 'worker-1', 'migrate'],
      publishing: ['db', 'backend'],
      containers: [
        container('db', { health: 'healthy' }),
        container('backend', { health: 'healthy' }),
        container('worker-1', { health: 'unhealthy' }),
        container('migrate', { state: 'exited', status: 'Exited (0) 3 seconds ago' }),
      ],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    const c = check(r, CONTAINERS_CHECK);
    expect(c.message).toBe('2/4 healthy');
    expect(c.details).toContain('· worker-1: unhealthy (not gated)');
    expect(c.details).toContain('· migrate: exited (Exited (0) 3 seconds ago) (not gated)');
    expect(c.services).toEqual(['db', 'backend']);
  });

  it('honours containers.ignore from the manifest', async () => {
    const g = gateHarness({
      containersCfg: { ignore: ['jaeger'] },
      services: ['db', 'backend', 'jaeger'],
      publishing: ['db', 'backend', 'jaeger'],
      containers: [container('db'), container('backend'), container('jaeger', { state: 'exited' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, CONTAINERS_CHECK).services).toEqual(['db', 'backend']);
  });

  it('honours containers.gate from the manifest instead of the publishing services', async () => {
    const g = gateHarness({
      containersCfg: { gate: ['worker-1'] },
      timeoutMs: 1_000,
      services: ['db', 'backend', 'worker-1'],
      containers: [container('db'), container('backend', { health: 'unhealthy' }), container('worker-1', { health: 'unhealthy' })],
    });
    const r = await g.run();
    const c = check(r, CONTAINERS_CHECK);
    expect(c.state).toBe('failed');
    expect(c.services).toEqual(['worker-1']);
    expect(c.message).toMatch(/worker-1 unhealthy$/);
    expect(c.details).toContain('· backend: unhealthy (not gated)');
  });

  it('ignores one-off (compose run) containers', async () => {
    const g = gateHarness({
      checks: [{ name: 'be', exec: { service: 'backend', command: ['true'] } }],
      containers: [
        container('db'),
        container('backend', { id: 'oneoff', oneOff: true, state: 'exited' }),
        container('backend', { id: 'real' }),
      ],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(g.engine.execCalls.map((c) => c.containerId)).toEqual(['real']);
  });

  it('uses the running container when a service has several', async () => {
    const g = gateHarness({
      containers: [container('db'), container('backend', { id: 'old', state: 'exited' }), container('backend', { id: 'new', health: 'healthy' })],
    });
    expect((await g.run()).passed).toBe(true);
  });

  it('log tails that cannot be read are reported, not thrown', async () => {
    const g = gateHarness({ timeoutMs: 500, containers: [container('db'), container('backend', { health: 'unhealthy' })] });
    g.engine.logs = async () => {
      throw new Error('no such container');
    };
    const r = await g.run();
    expect(r.logTails).toEqual({ backend: ['(could not read logs: no such container)'] });
  });
});
