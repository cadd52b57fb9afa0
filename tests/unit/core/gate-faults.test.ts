import { describe, expect, it } from 'vitest';
import { exitCodeOf, faultHint } from '../../../main/core/gate-faults';
import { CONTAINERS_CHECK } from '../../../main/core/gate';
import { check, container, gateHarness } from './fakes';

describe('gate faults', () => {
  it('reads the exit code from the engine status', () => {
    expect(exitCodeOf('Exited (137) 3 seconds ago')).toBe(137);
    expect(exitCodeOf('Restarting (1) 2 seconds ago')).toBe(1);
    expect(exitCodeOf('Up 3 seconds (healthy)')).toBeUndefined();
  });

  it('hints by exit code: signal, OOM, command not found, finished, crashed', () => {
    const h = (exitCode: number, oom = false) => faultHint({ service: 'api', reason: 'exited', exitCode }, oom);
    expect(h(143)).toMatch(/stopped by a signal.*ktrdr-sandbox up/);
    expect(h(137, true)).toMatch(/out of memory|lack of memory/);
    expect(h(137)).toMatch(/SIGKILL/);
    expect(h(127)).toMatch(/not found/);
    expect(h(0)).toMatch(/stopped .* or its command finished.*ktrdr-sandbox up/);
    expect(h(2)).toMatch(/crashed with exit code 2/);
    expect(faultHint({ service: 'api', reason: 'not-started' })).toMatch(/never started/);
  });

  it('a stopped stack fails the gate at once, saying it was stopped, not at the deadline', async () => {
    const g = gateHarness({
      timeout: 180,
      containers: [
        container('db', { state: 'exited', status: 'Exited (0) 1 minute ago' }),
        container('backend', { state: 'exited', status: 'Exited (143) 1 minute ago' }),
      ],
    });
    g.engine.inspect = async (id) => ({
      exitCode: id.endsWith('db') ? 0 : 143,
      restartCount: 0,
      startedAt: null,
      finishedAt: null,
      health: 'none',
      oomKilled: false,
    });
    const r = await g.run();
    expect(r.passed).toBe(false);
    expect(r.elapsedMs).toBe(0);
    const c = check(r, CONTAINERS_CHECK);
    expect(c.failure).toMatchObject({ service: 'db', reason: 'exited', exitCode: 0 });
  });

  it('an OOM-killed container says so (inspect)', async () => {
    const g = gateHarness({
      containers: [container('db'), container('backend', { state: 'exited', status: 'Exited (137) 1 second ago' })],
    });
    g.engine.inspect = async () => ({ exitCode: 137, restartCount: 0, startedAt: null, finishedAt: null, health: 'none', oomKilled: true });
    const c = check(await g.run(), CONTAINERS_CHECK);
    expect(c.message).toBe('backend exited with code 137 (out of memory) (Exited (137) 1 second ago)');
    expect(c.failure!.hint).toMatch(/lack of memory/);
  });
});

describe("failure fields of a check's own verdict", () => {
  it("an exec check failing: the service, the command's exit code, the log tail; a recognised signature is the hint", async () => {
    const g = gateHarness({
      checks: [{ name: 'migrations', exec: { service: 'backend', command: ['alembic', 'upgrade', 'head'] }, retry: false }],
      exec: () => ({ exitCode: 1, output: 'ERROR: relation "ops" does not exist' }),
      logs: { 'id-proj-backend': ['boot', 'ERROR: relation "ops" does not exist'] },
    });
    const r = await g.run();
    expect(check(r, 'migrations').failure).toEqual({
      service: 'backend',
      reason: 'check-failed',
      exitCode: 1,
      logTail: ['boot', 'ERROR: relation "ops" does not exist'],
      hint: expect.stringMatching(/migrations did not run or failed/),
    });
  });

  it('an HTTP check naming no service that times out: no service, a timed-out hint', async () => {
    const g = gateHarness({
      timeoutMs: 1_000,
      checks: [{ name: 'ext', http: { url: 'http://127.0.0.1:1/x' } }],
      http: () => ({ status: 500 }),
    });
    const r = await g.run();
    const f = check(r, 'ext').failure!;
    expect(f.service).toBeUndefined();
    expect(f.reason).toBe('timed-out');
    expect(f.hint).toMatch(/never passed in 1s.*--timeout/);
  });
});
