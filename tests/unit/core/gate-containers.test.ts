import { describe, expect, it } from 'vitest';
import { CONTAINERS_CHECK } from '../../../main/core/gate';
import { API, check, container, gateHarness } from './fakes';

const never = { name: 'backend', http: { url: `${API}/api/v1/health` }, service: 'backend' };
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('runGate: containers check', () => {
  it('a gated container that exited fails the gate at once, blamed on the check owning it, with exit code, log tail and hint', async () => {
    const g = gateHarness({
      checks: [never],
      timeout: 180,
      containers: [container('db', { health: 'healthy' }), container('backend', { state: 'exited', status: 'Exited (1) 1 second ago' })],
      http: () => ({ status: 502 }),
      logs: { 'id-proj-backend': lines(45), 'id-proj-db': ['db fine'] },
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    const c = check(r, 'backend'); // the first check naming the service owns it
    expect(c.state).toBe('failed');
    expect(c.message).toBe('backend exited with code 1 (Exited (1) 1 second ago)');
    expect(c.services).toEqual(['backend']);
    expect(c.failure).toMatchObject({ service: 'backend', reason: 'exited', exitCode: 1, logTail: lines(45).slice(-30) });
    expect(c.failure!.hint).toMatch(/backend crashed with exit code 1/);
    expect(r.elapsedMs).toBe(0);
    expect(check(r, CONTAINERS_CHECK).state).toBe('skipped');
    expect(r.logTails.backend).toEqual(lines(45).slice(-30));
    expect(r.logTails.db).toBeUndefined();
    expect(g.engine.logCalls).toContainEqual({ containerId: 'id-proj-backend', tail: 30 });
  });

  it('a gated service no check names is owned by the containers check', async () => {
    const g = gateHarness({
      containers: [container('db', { state: 'exited', status: 'Exited (137) 1 second ago' }), container('backend')],
    });
    const r = await g.run();
    const c = check(r, CONTAINERS_CHECK);
    expect(c.state).toBe('failed');
    expect(c.failure).toMatchObject({ service: 'db', reason: 'exited', exitCode: 137 });
    expect(c.failure!.hint).toMatch(/SIGKILL/);
  });

  it('a container created but never started, or missing, fails after a 5 s grace; one that starts meanwhile does not', async () => {
    const late = gateHarness({
      checks: [never],
      http: () => ({ status: 503 }),
      containers: [container('db'), container('backend', { state: 'created' })],
    });
    const r2 = await late.run();
    const c = check(r2, 'backend');
    expect(c.state).toBe('failed');
    expect(c.message).toBe('backend was created but never started');
    expect(c.failure).toMatchObject({ reason: 'not-started', service: 'backend' });
    expect(r2.elapsedMs).toBeGreaterThanOrEqual(5_000);
    expect(r2.elapsedMs).toBeLessThan(5_500);
    const missing = gateHarness({ containers: [container('db')] });
    const r3 = await missing.run();
    expect(check(r3, CONTAINERS_CHECK).message).toBe('backend has no container');
    const starts = gateHarness({
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 4_000 ? 'created' : 'running' })],
    });
    expect((await starts.run()).passed).toBe(true);
  });

  // The containers check keeps watching once it has passed: a gated container without a healthcheck is
  // "running" at t=0, so the check passes at once; if it then crashes while other checks are still waiting, the
  // gate fails at the next look instead of waiting for its full deadline (180 s here).
  it('a gated container that exits after the containers check first passed still ends the gate early', async () => {
    const g = gateHarness({
      checks: [never],
      timeout: 180,
      http: () => ({ status: 502 }),
      containers: (clock) => [container('db'), container('backend', { state: clock.elapsed() < 1_000 ? 'running' : 'exited' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(r.elapsedMs).toBeLessThanOrEqual(1_250);
    expect(check(r, CONTAINERS_CHECK).state).toBe('passed');
    expect(check(r, 'backend').state).toBe('failed');
    expect(check(r, 'backend').message).toMatch(/^backend exited with code 1/);
  });

  it('a container in a restart loop fails once Docker restarted it 3 times (restart count from inspect)', async () => {
    let restarts = 0;
    const g = gateHarness({
      timeout: 180,
      containers: (clock) => {
        restarts = Math.floor(clock.elapsed() / 1_000);
        return [container('db'), container('backend', { state: 'restarting', status: 'Restarting (2) 1 second ago' })];
      },
    });
    g.engine.inspect = async () => ({
      exitCode: 2,
      restartCount: restarts,
      startedAt: null,
      finishedAt: null,
      health: 'none',
      oomKilled: false,
    });
    const r = await g.run();
    const c = check(r, CONTAINERS_CHECK);
    expect(c.failure).toMatchObject({ service: 'backend', reason: 'restarting', exitCode: 2 });
    expect(c.message).toBe('backend restarts in a loop (3 restarts), last exit code 2');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3_000);
    expect(r.elapsedMs).toBeLessThan(3_300);
  });

  it('a container that restarts once and then runs does not fail the gate', async () => {
    const g = gateHarness({
      containers: (clock) => [
        container('db'),
        container('backend', { state: clock.elapsed() < 2_000 ? 'restarting' : 'running', health: 'healthy' }),
      ],
    });
    g.engine.inspect = async () => ({ exitCode: 1, restartCount: 1, startedAt: null, finishedAt: null, health: 'none', oomKilled: false });
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
      containers: [
        container('db'),
        container('backend', { id: 'old', state: 'exited' }),
        container('backend', { id: 'new', health: 'healthy' }),
      ],
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
