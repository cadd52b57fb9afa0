import { describe, expect, it } from 'vitest';
import { CONTAINERS_CHECK, MIN_ATTEMPT_MS } from '../../../main/core/gate';
import { API, check, connRefused, container, gateHarness, T0 } from './fakes';

const health = { name: 'backend', label: 'Backend healthy', http: { url: `${API}/api/v1/health` }, service: 'backend' };
const dbReady = { name: 'database', exec: { service: 'db', command: ['pg_isready', '-p', '${DB_PORT}'] } };
const migrations = {
  name: 'migrations',
  exec: { service: 'backend', command: ['alembic', 'upgrade', 'head'] },
  retry: false,
  dependsOn: ['database'],
  timeout: 120,
};
const workers = (minItems = 4, dependsOn = ['backend']) => ({
  name: 'workers',
  http: { url: `${API}/api/v1/workers`, minItems, itemsKey: 'workers' },
  service: 'backend',
  dependsOn,
});
const grafana = { name: 'grafana', http: { url: 'http://127.0.0.1:${GRAFANA_PORT}/api/health' }, service: 'grafana' };
const list = (n: number) => JSON.stringify({ workers: Array.from({ length: n }, (_, i) => ({ id: `w${i}` })) });

describe('runGate: every check passes', () => {
  it('passes with each check passed, in manifest order, plus the containers check', async () => {
    const g = gateHarness({
      checks: [dbReady, migrations, health, workers(), grafana],
      exec: (_id, cmd) =>
        cmd[0] === 'alembic'
          ? { exitCode: 0, output: 'INFO upgrade a -> b\nINFO done\n' }
          : { exitCode: 0, output: 'accepting connections\n' },
      http: (url) => (url.endsWith('/workers') ? { status: 200, body: list(4) } : { status: 200, body: 'ok' }),
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(r.instance).toBe('ktrdr--feat-x');
    expect(r.startedAt).toBe(new Date(T0).toISOString());
    expect(r.timeoutMs).toBe(60_000);
    expect(r.logTails).toEqual({});
    expect(r.checks.map((c) => c.name)).toEqual(['database', 'migrations', 'backend', 'workers', 'grafana', CONTAINERS_CHECK]);
    for (const c of r.checks) {
      expect(c.state, c.name).toBe('passed');
      expect(c.attempts, c.name).toBe(1);
    }
    expect(check(r, 'database').message).toBe('accepting connections');
    expect(check(r, 'migrations').details).toEqual(['INFO upgrade a -> b', 'INFO done']);
    expect(check(r, 'workers').message).toBe('4 registered (≥ 4)');
    expect(check(r, 'backend').message).toBe('GET http://127.0.0.1:8003/api/v1/health → 200');
    expect(check(r, 'backend').label).toBe('Backend healthy');
    expect(check(r, 'grafana').label).toBe('grafana');
  });

  it('expands ${VAR} in URLs and exec commands, runs exec in the running container of the service', async () => {
    const g = gateHarness({ checks: [dbReady, grafana] });
    await g.run();
    expect(g.engine.execCalls.map((c) => [c.containerId, c.cmd])).toEqual([['id-proj-db', ['pg_isready', '-p', '5435']]]);
    expect(g.http.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:3003/api/health']);
  });

  it('gives each attempt its own timeout: 3 s by default, the check timeout when set, never past the deadline', async () => {
    const g = gateHarness({ checks: [health, { ...grafana, timeout: 1 }, migrations, dbReady], timeoutMs: 2_000 });
    await g.run();
    expect(g.http.calls.find((c) => c.url.includes('8003'))!.timeoutMs).toBe(2_000);
    expect(g.http.calls.find((c) => c.url.includes('3003'))!.timeoutMs).toBe(1_000);
    const g2 = gateHarness({ checks: [health, migrations, dbReady], timeout: 180 });
    await g2.run();
    expect(g2.http.calls[0]!.timeoutMs).toBe(3_000);
    expect(g2.engine.execCalls.find((c) => c.cmd[0] === 'alembic')!.timeoutMs).toBe(120_000);
  });

  it('emits gate-start with every check pending, then one gate-check per verdict', async () => {
    const g = gateHarness({ checks: [dbReady, health] });
    await g.run();
    const [start, ...rest] = g.events;
    expect(start).toMatchObject({ type: 'gate-start', timeoutMs: 60_000 });
    if (start?.type !== 'gate-start') throw new Error('first event is not gate-start');
    expect(start.checks.map((c) => [c.name, c.state])).toEqual([
      ['database', 'pending'],
      ['backend', 'pending'],
      [CONTAINERS_CHECK, 'pending'],
    ]);
    expect(rest.map((e) => (e.type === 'gate-check' ? `${e.check.name}:${e.check.state}` : e.type)).sort()).toEqual([
      'backend:passed',
      'containers:passed',
      'database:passed',
    ]);
  });

  // The pending listing is cached, not only its result: checks asking in the same tick share one engine call
  // (3 exec checks + the containers check → 1 call at t=0).
  it('shares one container listing per tick between the checks', async () => {
    const g = gateHarness({
      checks: [
        dbReady,
        { name: 'db2', exec: { service: 'db', command: ['true'] } },
        { name: 'be', exec: { service: 'backend', command: ['true'] } },
      ],
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(g.engine.listCalls).toBe(1);
  });
});

describe('runGate: retries under one deadline', () => {
  it('an HTTP check failing until t=3 s then passing → passes after several attempts, detected within 100 ms', async () => {
    const g = gateHarness({
      checks: [health],
      http: (_url, clock) => {
        if (clock.elapsed() < 3_000) throw connRefused();
        return { status: 200 };
      },
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    const c = check(r, 'backend');
    expect(c.attempts).toBeGreaterThan(1);
    expect(c.attempts).toBe(31); // t = 0, 100, …, 3000
    expect(c.elapsedMs).toBeGreaterThanOrEqual(3_000);
    expect(c.elapsedMs).toBeLessThanOrEqual(3_100);
    expect(r.elapsedMs).toBe(c.elapsedMs);
  });

  it('retries HTTP checks at 0.4 × the interval (never under 50 ms) and exec checks at the full interval', async () => {
    const failUntil2s = (clock: { elapsed(): number }) => clock.elapsed() < 2_000;
    const run = async (interval: number) => {
      const g = gateHarness({
        interval,
        checks: [health, dbReady],
        http: (_u, clock) => ({ status: failUntil2s(clock) ? 503 : 200 }),
        exec: (_id, _cmd, clock) => ({ exitCode: failUntil2s(clock) ? 2 : 0, output: '' }),
      });
      const r = await g.run();
      expect(r.passed).toBe(true);
      return [check(r, 'backend').attempts, check(r, 'database').attempts];
    };
    expect(await run(0.25)).toEqual([21, 9]); // 100 ms vs 250 ms
    expect(await run(1)).toEqual([6, 3]); // 400 ms vs 1 s
    expect(await run(0.1)).toEqual([41, 21]); // 50 ms (the floor) vs 100 ms
  });

  it('ends the moment the last check passes, not when the sleeping containers watcher wakes up', async () => {
    // Each exec takes 100 ms: attempts at t = 0, 350, 700, …; the first to pass ends at 2900. The watcher
    // (250 ms interval) is asleep from 2750 to 3000.
    const g = gateHarness({
      checks: [dbReady],
      exec: async (_id, _cmd, clock) => {
        await clock.sleep(100);
        return { exitCode: clock.elapsed() < 2_850 ? 2 : 0, output: '' };
      },
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'database').elapsedMs).toBe(2_900);
    expect(r.elapsedMs).toBe(2_900);
    expect(check(r, CONTAINERS_CHECK).state).toBe('passed');
  });

  it('does not wait for a container listing still in flight when the last check passes', async () => {
    // Each listing takes 80 ms: the watcher looks at t = 0, 330, 660, …, 2970 (until 3050).
    const g = gateHarness({ checks: [health], http: (_u, clock) => ({ status: clock.elapsed() < 3_000 ? 503 : 200 }) });
    const list = g.engine.listContainers.bind(g.engine);
    g.engine.listContainers = async (o) => {
      await g.clock.sleep(80);
      return list(o);
    };
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'backend').elapsedMs).toBe(3_000);
    expect(r.elapsedMs).toBe(3_000);
  });

  it('an exec check whose container is not up yet, or whose exec throws, is retried', async () => {
    const g = gateHarness({
      checks: [dbReady],
      containers: (clock) => [container('db', { state: clock.elapsed() < 1_000 ? 'restarting' : 'running' }), container('backend')],
      exec: (_id, _cmd, clock) => {
        if (clock.elapsed() < 2_000) throw new Error('container is restarting');
        return { exitCode: 0, output: 'ok' };
      },
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'database').attempts).toBeGreaterThan(4);
    expect(check(r, 'database').elapsedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('a check that never passes → timed out after Ns, gate failed, last error and log tail kept', async () => {
    const g = gateHarness({
      checks: [health],
      timeoutMs: 10_000,
      http: () => ({ status: 503, body: 'starting up  ' }),
      logs: { 'id-proj-backend': ['boot', 'waiting for db'] },
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    const c = check(r, 'backend');
    expect(c.state).toBe('failed');
    expect(c.message).toBe('timed out after 10s: GET http://127.0.0.1:8003/api/v1/health → 503: starting up');
    expect(c.attempts).toBeGreaterThanOrEqual(40);
    expect(c.elapsedMs).toBe(10_000);
    expect(r.elapsedMs).toBe(10_000);
    expect(check(r, CONTAINERS_CHECK).state).toBe('passed');
    expect(r.logTails).toEqual({ backend: ['boot', 'waiting for db'] });
  });

  it('uses the manifest timeout when none is given, rounded to seconds in the message', async () => {
    const g = gateHarness({ checks: [health], timeout: 2.4, http: () => ({ status: 500 }) });
    const r = await g.run();
    expect(r.timeoutMs).toBe(2_400);
    expect(check(r, 'backend').message).toMatch(/^timed out after 2s: GET .* → 500$/);
  });

  it('a timeout names the last real answer, not a probe the deadline left 1 ms for (CI saw "timed out after 1 ms")', async () => {
    // each answer takes 30 ms; the HTTP retry pause is 100 ms: attempt 8 would start 1 ms before the deadline
    const deadlineMs = 7 * 130 + 131;
    const g = gateHarness({
      checks: [health],
      timeoutMs: deadlineMs,
      http: (url, clock) => {
        const budget = T0 + deadlineMs - clock.now();
        if (budget < 30) {
          clock.advance(budget);
          throw new Error(`GET ${url} timed out after ${budget} ms`);
        }
        clock.advance(30);
        return { status: 404 };
      },
    });
    const r = await g.run();
    const c = check(r, 'backend');
    expect(c.message).toBe('timed out after 1s: GET http://127.0.0.1:8003/api/v1/health → 404');
    expect(c.attempts).toBe(8);
    expect(g.http.calls.every((call) => call.timeoutMs >= MIN_ATTEMPT_MS)).toBe(true);
  });

  it('a refused connection is described plainly', async () => {
    const g = gateHarness({ checks: [health], timeoutMs: 1_000, http: () => Promise.reject(connRefused()) });
    const r = await g.run();
    expect(check(r, 'backend').message).toBe('timed out after 1s: GET http://127.0.0.1:8003/api/v1/health: connection refused');
  });
});

describe('runGate: definitive failures end the gate', () => {
  it('an exec check with retry:false failing → fails at once with its output; running checks are stopped', async () => {
    const g = gateHarness({
      checks: [dbReady, migrations, health],
      exec: (_id, cmd) =>
        cmd[0] === 'alembic'
          ? { exitCode: 1, output: 'INFO running upgrade\nERROR: column "x" already exists\n' }
          : { exitCode: 0, output: 'ok' },
      http: () => ({ status: 502 }),
      logs: { 'id-proj-backend': ['Traceback', 'DuplicateColumn'] },
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    const m = check(r, 'migrations');
    expect(m.state).toBe('failed');
    expect(m.attempts).toBe(1);
    expect(m.message).toBe('alembic upgrade head exited 1: ERROR: column "x" already exists');
    expect(m.details).toEqual(['INFO running upgrade', 'ERROR: column "x" already exists']);
    expect(g.engine.execCalls.filter((c) => c.cmd[0] === 'alembic')).toHaveLength(1);
    const b = check(r, 'backend');
    expect(b.state).toBe('skipped');
    expect(b.message).toMatch(/^stopped: the gate already failed \(last attempt: GET .* → 502\)$/);
    expect(r.elapsedMs).toBeLessThan(1_000);
    expect(r.logTails).toEqual({ backend: ['Traceback', 'DuplicateColumn'] });
  });

  it('a failed dependency skips its dependents', async () => {
    const g = gateHarness({
      checks: [{ ...dbReady, retry: false }, migrations, health, workers()],
      exec: () => ({ exitCode: 2, output: 'no response' }),
      http: () => ({ status: 200, body: list(4) }),
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(check(r, 'database').state).toBe('failed');
    expect(check(r, 'migrations')).toMatchObject({ state: 'skipped', message: 'skipped: "database" did not pass', attempts: 0 });
    expect(g.engine.execCalls.some((c) => c.cmd[0] === 'alembic')).toBe(false);
  });

  it('a dependency that times out skips its dependent, which is never attempted', async () => {
    const g = gateHarness({ checks: [health, workers()], timeoutMs: 2_000, http: () => ({ status: 503 }) });
    const r = await g.run();
    expect(check(r, 'backend').state).toBe('failed');
    expect(check(r, 'workers')).toMatchObject({ state: 'skipped', message: 'skipped: "backend" did not pass', attempts: 0 });
    expect(g.http.callsTo('/workers')).toBe(0);
  });

  it('a dependent starts only after its dependency passed', async () => {
    const g = gateHarness({
      checks: [health, workers()],
      http: (url, clock) => (url.endsWith('/health') && clock.elapsed() < 1_000 ? { status: 503 } : { status: 200, body: list(4) }),
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'workers').startedAt).toBeGreaterThanOrEqual(1_000);
    expect(check(r, 'workers').attempts).toBe(1);
  });
});

describe('runGate: workers count', () => {
  it('accepts {workers:[…]}', async () => {
    const g = gateHarness({ checks: [health, workers()], http: () => ({ status: 200, body: list(5) }) });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'workers').message).toBe('5 registered (≥ 4)');
  });

  it('accepts a bare list', async () => {
    const g = gateHarness({ checks: [health, workers()], http: () => ({ status: 200, body: '[1,2,3,4]' }) });
    expect((await g.run()).passed).toBe(true);
  });

  it('accepts an object holding one list when no itemsKey is given', async () => {
    const chk = { name: 'w', http: { url: `${API}/api/v1/workers`, minItems: 2 } };
    const g = gateHarness({ checks: [chk], http: () => ({ status: 200, body: '{"count":2,"items":["a","b"]}' }) });
    expect((await g.run()).passed).toBe(true);
  });

  it('waits until enough workers registered', async () => {
    const g = gateHarness({
      checks: [workers(4, [])],
      http: (_u, clock) => ({ status: 200, body: list(clock.elapsed() < 2_000 ? 2 : 4) }),
    });
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(check(r, 'workers').attempts).toBeGreaterThan(1);
  });

  it('too few workers or a body that is not a list → times out with the reason', async () => {
    const few = gateHarness({ checks: [workers(4, [])], timeoutMs: 1_000, http: () => ({ status: 200, body: list(3) }) });
    expect(check(await few.run(), 'workers').message).toBe('timed out after 1s: 3 of 4 expected items');
    const html = gateHarness({ checks: [workers(4, [])], timeoutMs: 1_000, http: () => ({ status: 200, body: '<html>' }) });
    expect(check(await html.run(), 'workers').message).toMatch(/^timed out after 1s: GET .*\/workers: body is not a JSON list$/);
    const wrongKey = gateHarness({
      checks: [workers(4, [])],
      timeoutMs: 1_000,
      http: () => ({ status: 200, body: '{"nodes":[1,2,3,4]}' }),
    });
    expect((await wrongKey.run()).passed).toBe(false);
  });
});

describe('runGate: cancelled (a Start cancelled from the dashboard)', () => {
  it('stops every check at once instead of retrying until the deadline', async () => {
    const cancel = new AbortController();
    const g = gateHarness({
      checks: [health],
      timeoutMs: 60_000,
      signal: cancel.signal,
      http: (_url, clock) => {
        if (clock.now() - T0 >= 2_000) cancel.abort();
        throw connRefused();
      },
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(r.elapsedMs).toBeLessThan(5_000); // not the 60 s deadline
    expect(check(r, 'backend').state).not.toBe('passed');
  });
});
