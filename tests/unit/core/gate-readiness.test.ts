// Active readiness: the gate runs each gated service's own healthcheck through exec, so a service counts as
// ready when its check passes, not when Docker next runs it (every 10-30 s in KTRDR's file).
import { describe, expect, it } from 'vitest';
import { CONTAINERS_CHECK } from '../../../main/core/gate';
import { healthcheckArgv, interpolate } from '../../../main/core/healthcheck';
import { API, check, container, gateHarness } from './fakes';

const slow = {
  db: { test: ['CMD', 'pg_isready', '-U', '${DB_USER:-ktrdr}'], intervalMs: 10_000, timeoutMs: 5_000, retries: 3 },
  backend: { test: ['CMD-SHELL', 'curl -fsS http://127.0.0.1:8000/health || exit 1'], intervalMs: 30_000, timeoutMs: 4_000 },
};
const starting = () => [container('db', { health: 'starting' }), container('backend', { health: 'starting' })];
const isProbe = (cmd: string[]) => cmd[0] === 'pg_isready' || cmd[0] === '/bin/sh';

describe('healthcheck test forms', () => {
  it('CMD runs its argv, CMD-SHELL and the string form run through /bin/sh -c, NONE is none', () => {
    expect(healthcheckArgv(['CMD', 'pg_isready', '-q'])).toEqual(['pg_isready', '-q']);
    expect(healthcheckArgv(['CMD-SHELL', 'curl -f x || exit 1'])).toEqual(['/bin/sh', '-c', 'curl -f x || exit 1']);
    expect(healthcheckArgv('curl -f x')).toEqual(['/bin/sh', '-c', 'curl -f x']);
    expect(healthcheckArgv(['NONE'])).toBeNull();
    expect(healthcheckArgv([])).toBeNull();
  });
  it('interpolates the file like compose: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR', () => {
    const vars = { A: 'a', E: '' };
    expect(interpolate('$$HOME ${A} $A ${B:-b} ${E:-e} ${E-e} ${B-x} ${B}.', vars)).toBe('$HOME a a b e  x .');
  });
});

describe('runGate: active readiness', () => {
  it('passes when the services\' own healthchecks pass, while Docker still says "starting"; the report names the source', async () => {
    const g = gateHarness({
      healthchecks: slow,
      containers: starting,
      exec: (_id, cmd, clock) => ({ exitCode: isProbe(cmd) && clock.elapsed() >= 1_500 ? 0 : 1, output: 'no response' }),
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    const c = check(r, CONTAINERS_CHECK);
    expect(c.elapsedMs).toBeGreaterThanOrEqual(1_500);
    expect(c.elapsedMs).toBeLessThanOrEqual(2_500);
    expect(r.readiness!.db).toMatchObject({ ready: true, source: 'probe', dockerHealth: 'starting' });
    expect(r.readiness!.backend).toMatchObject({ ready: true, source: 'probe', dockerHealth: 'starting' });
    expect(r.readiness!.db!.atMs).toBe(c.elapsedMs);
    expect(c.details).toContain('✓ db: ready (its healthcheck passed; Docker: starting)');
    const cmds = g.engine.execCalls.map((x) => x.cmd);
    expect(cmds).toContainEqual(['pg_isready', '-U', 'ktrdr']); // interpolated like compose does
    expect(cmds).toContainEqual(['/bin/sh', '-c', 'curl -fsS http://127.0.0.1:8000/health || exit 1']);
    // each probe attempt has the healthcheck's own timeout
    expect(g.engine.execCalls.find((x) => x.cmd[0] === 'pg_isready')!.timeoutMs).toBe(5_000);
    expect(g.engine.execCalls.find((x) => x.cmd[0] === '/bin/sh')!.timeoutMs).toBe(4_000);
  });

  it('backs off between probe attempts (×1.5 from the gate interval, at most 2 s)', async () => {
    const g = gateHarness({
      healthchecks: { db: slow.db },
      containers: [container('db', { health: 'starting' }), container('backend')],
      timeoutMs: 12_000,
      exec: () => ({ exitCode: 1, output: '' }),
    });
    const times: number[] = [];
    const exec = g.engine.exec.bind(g.engine);
    g.engine.exec = async (id, cmd, o) => {
      times.push(g.clock.elapsed());
      return exec(id, cmd, o);
    };
    const r = await g.run();
    expect(r.passed).toBe(false);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(250);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2_250);
    expect(times.length).toBeLessThan(15); // ~12 s of probing: not one exec per 250 ms
    expect(check(r, CONTAINERS_CHECK).message).toMatch(/db starting \(its healthcheck: pg_isready -U ktrdr exited 1\)/);
    expect(r.readiness!.db).toMatchObject({ ready: false, probeFailure: 'pg_isready -U ktrdr exited 1' });
  });

  it("Docker's health is the fallback: a service Docker calls healthy first is decided by Docker, one without healthcheck by running", async () => {
    const g = gateHarness({
      healthchecks: { db: slow.db },
      containers: (clock) => [container('db', { health: clock.elapsed() < 1_000 ? 'starting' : 'healthy' }), container('backend')],
      exec: () => ({ exitCode: 1, output: '' }),
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(r.readiness).toMatchObject({
      db: { ready: true, source: 'docker' },
      backend: { ready: true, source: 'running', dockerHealth: 'none' },
    });
  });

  it("runs the healthcheck the container really has (inspect) rather than the file's", async () => {
    const g = gateHarness({ healthchecks: slow, containers: [container('db', { health: 'starting' }), container('backend')] });
    g.engine.inspect = async () => ({
      exitCode: null,
      restartCount: 0,
      startedAt: null,
      finishedAt: null,
      health: 'starting',
      oomKilled: false,
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U real'], intervalMs: 10_000, timeoutMs: 2_000, retries: 3, startPeriodMs: 0 },
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(g.engine.execCalls).toEqual([{ containerId: 'id-proj-db', cmd: ['/bin/sh', '-c', 'pg_isready -U real'], timeoutMs: 2_000 }]);
  });

  it("a service whose own check keeps failing fails once Docker calls it unhealthy, with the check's output", async () => {
    const g = gateHarness({
      timeout: 180,
      healthchecks: { db: slow.db },
      containers: (clock) => [container('db', { health: clock.elapsed() < 30_000 ? 'starting' : 'unhealthy' }), container('backend')],
      exec: () => ({ exitCode: 2, output: 'FATAL: role "ktrdr" does not exist' }),
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    const c = check(r, CONTAINERS_CHECK);
    expect(c.message).toBe('db is unhealthy: its healthcheck fails (pg_isready -U ktrdr exited 2: FATAL: role "ktrdr" does not exist)');
    expect(c.failure).toMatchObject({ service: 'db', reason: 'unhealthy' });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(30_000);
    expect(r.elapsedMs).toBeLessThan(33_000);
  });

  it('a service whose healthcheck passes but whose HTTP check does not still fails the gate', async () => {
    const g = gateHarness({
      timeoutMs: 5_000,
      healthchecks: slow,
      containers: starting,
      checks: [{ name: 'backend', http: { url: `${API}/api/v1/health` }, service: 'backend' }],
      http: () => ({ status: 503, body: 'db down' }),
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(check(r, CONTAINERS_CHECK).state).toBe('passed');
    expect(r.readiness!.backend).toMatchObject({ ready: true, source: 'probe' });
    const c = check(r, 'backend');
    expect(c.state).toBe('failed');
    expect(c.failure).toMatchObject({ service: 'backend', reason: 'timed-out' });
    expect(c.failure!.hint).toMatch(/--timeout/);
  });

  it('probes only gated services that Docker has not called healthy yet', async () => {
    const g = gateHarness({
      healthchecks: slow,
      publishing: ['db'],
      containers: [container('db', { health: 'healthy' }), container('backend', { health: 'starting' })],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(g.engine.execCalls).toEqual([]);
    expect(r.readiness!.backend).toMatchObject({ ready: false, dockerHealth: 'starting' });
  });
});

describe('runGate: the same crash is always blamed on the same check', () => {
  const migrations = { name: 'migrations', exec: { service: 'backend', command: ['alembic', 'upgrade', 'head'] }, retry: false };
  const health = { name: 'backend-health', http: { url: `${API}/api/v1/health` }, service: 'backend' };
  // dying before, during or after the migrations ran: the owner (first check naming backend) takes the blame
  for (const diesAt of [0, 90, 240, 260, 600]) {
    it(`backend dying at ${diesAt} ms: "migrations" (first to name it) fails with the exit code, never a 409`, async () => {
      const g = gateHarness({
        timeout: 180,
        checks: [migrations, health],
        containers: (clock) => [
          container('db'),
          container('backend', clock.elapsed() < diesAt ? {} : { state: 'exited', status: 'Exited (3) 1 second ago' }),
        ],
        // migrations take 400 ms; an exec into a container that died meanwhile answers 409
        exec: async (_id, _cmd, clock) => {
          await clock.sleep(400);
          if (clock.elapsed() >= diesAt) throw new Error('(HTTP code 409) container is not running');
          return { exitCode: 0, output: 'applied 001' };
        },
        http: () => ({ status: 502 }),
        logs: { 'id-proj-backend': ['Traceback', 'ImportError: no module named x'] },
      });
      const r = await g.run();
      expect(r.passed).toBe(false);
      const failed = r.checks.filter((c) => c.state === 'failed');
      expect(failed.map((c) => c.name)).toEqual(['migrations']);
      expect(failed[0]!.message).toBe('backend exited with code 3 (Exited (3) 1 second ago)');
      expect(failed[0]!.failure).toMatchObject({
        service: 'backend',
        reason: 'exited',
        exitCode: 3,
        logTail: ['Traceback', 'ImportError: no module named x'],
      });
      expect(r.elapsedMs).toBeLessThanOrEqual(diesAt + 500);
    });
  }
});
