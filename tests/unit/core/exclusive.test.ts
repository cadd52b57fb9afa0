// One operation per instance: a second caller waits (saying for whom) or fails at once with wait: false;
// the lock is released however the operation ends. The lock store is faked; the real one has its own test.
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, type Compose, type InstanceLocks, type LockHolder } from '../../../main/core/deps';
import { SandboxError } from '../../../main/core/errors';
import type { ProgressEvent } from '../../../main/core/events';
import { exclusive, exclusiveAll, withInstanceLock } from '../../../main/core/use-cases/exclusive';
import { CONTAINERS_CHECK } from '../../../main/core/gate';
import { FakeClock, container, fakeDeps, gateHarness, record, registryWith } from './fakes';

/** In-memory locks: the holder of each id, and a log of what happened. */
function memoryLocks() {
  const held = new Map<string, LockHolder>();
  const log: string[] = [];
  const locks: InstanceLocks = {
    async tryAcquire(id, op) {
      const h = held.get(id);
      if (h) return { holder: h };
      held.set(id, { pid: 4242, op, since: '2025-01-01T00:00:00.000Z' });
      log.push(`+${id}:${op}`);
      return {
        async release() {
          held.delete(id);
          log.push(`-${id}:${op}`);
        },
      };
    },
  };
  return { locks, held, log };
}

describe('withInstanceLock', () => {
  it('runs the operation holding the lock and releases it after a failure too', async () => {
    const m = memoryLocks();
    const deps = fakeDeps({ locks: m.locks, clock: new FakeClock() });
    expect(
      await withInstanceLock(
        deps,
        'a',
        'up',
        {},
        () => undefined,
        async () => 7,
      ),
    ).toBe(7);
    await expect(
      withInstanceLock(
        deps,
        'a',
        'down',
        {},
        () => undefined,
        async () => Promise.reject(new Error('boom')),
      ),
    ).rejects.toThrow('boom');
    expect(m.log).toEqual(['+a:up', '-a:up', '+a:down', '-a:down']);
    expect(m.held.size).toBe(0);
  });

  it('with wait: false, a busy instance is INSTANCE_BUSY (exit 1) naming the holder; nothing runs', async () => {
    const m = memoryLocks();
    m.held.set('a', { pid: 123, op: 'up', since: 'then' });
    const deps = fakeDeps({ locks: m.locks, clock: new FakeClock() });
    let ran = false;
    const err = await withInstanceLock(
      deps,
      'a',
      'down',
      { wait: false },
      () => undefined,
      async () => {
        ran = true;
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('INSTANCE_BUSY');
    expect((err as SandboxError).exitCode).toBe(1);
    expect((err as SandboxError).message).toBe('"a" is busy: `up` by pid 123 (since then)');
    expect(ran).toBe(false);
  });

  it('a waiting caller says once for whom it waits, then runs when the holder lets go', async () => {
    const m = memoryLocks();
    m.held.set('a', { pid: 123, op: 'up', since: 'then' });
    const clock = new FakeClock();
    const deps = fakeDeps({ locks: m.locks, clock });
    const events: ProgressEvent[] = [];
    const p = withInstanceLock(
      deps,
      'a',
      'down',
      {},
      (e) => events.push(e),
      async () => 'done',
    );
    await new Promise((r) => setTimeout(r, 20)); // a few polls on the fake clock
    expect(events.map((e) => (e.type === 'step' ? e.label : ''))).toEqual(['waiting for `up` of a by pid 123…']);
    m.held.delete('a');
    expect(await p).toBe('done');
    expect(events).toHaveLength(2);
  });
});

describe('a lock its holder died with', () => {
  const DEAD: LockHolder = { pid: 555, op: 'up', since: 'then' };
  /** Locks that are free (abandoned: the dead holder whose lock they broke), a compose that finds `left`. */
  function world(abandoned: LockHolder | undefined, left: number[]) {
    const asked: string[] = [];
    const events: ProgressEvent[] = [];
    const locks: InstanceLocks = { tryAcquire: async () => ({ release: async () => undefined, ...(abandoned ? { abandoned } : {}) }) };
    const compose = {
      endLeftovers: async (project: string) => {
        asked.push(project);
        return left;
      },
    } as unknown as Compose;
    const run = (fn: () => Promise<string>) => withInstanceLock(fakeDeps({ locks, compose }), 'a', 'down', {}, (e) => events.push(e), fn);
    return { asked, events, run };
  }

  it('ends the compose the dead operation left changing the project, says so, then runs', async () => {
    const w = world(DEAD, [601, 602]);
    expect(await w.run(async () => `ran after ${w.asked.length} look(s)`)).toBe('ran after 1 look(s)');
    expect(w.asked).toEqual(['a']);
    expect(w.events).toMatchObject([
      {
        type: 'step',
        id: 'leftovers',
        state: 'info',
        label: 'Stopped compose (pid 601, 602) left running by `up` (pid 555), which ended without finishing',
      },
    ]);
  });

  it('looks for none when the lock was free or released, and says nothing when none is left', async () => {
    const free = world(undefined, [601]);
    await free.run(async () => 'done');
    expect(free.asked).toEqual([]);
    const none = world(DEAD, []);
    await none.run(async () => 'done');
    expect(none.asked).toEqual(['a']);
    expect(none.events).toEqual([]);
  });
});

describe('exclusive / exclusiveAll', () => {
  it('resolves the reference to the instance id before locking', async () => {
    const m = memoryLocks();
    const reg = registryWith(record('ktrdr--x', 1));
    const deps = fakeDeps({
      locks: m.locks,
      clock: new FakeClock(),
      registry: { file: 'f', read: async () => reg, update: async () => Promise.reject(new Error('no')) },
    });
    await exclusive(
      deps,
      { id: 'ktrdr--x' },
      'gate',
      {},
      () => undefined,
      async () => undefined,
    );
    expect(m.log).toEqual(['+ktrdr--x:gate', '-ktrdr--x:gate']);
    await expect(
      exclusive(
        deps,
        { id: 'nope' },
        'gate',
        {},
        () => undefined,
        async () => undefined,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('destroy --all holds every instance, in id order', async () => {
    const m = memoryLocks();
    const reg = registryWith(record('b', 2), record('a', 1));
    const deps = fakeDeps({
      locks: m.locks,
      clock: new FakeClock(),
      registry: { file: 'f', read: async () => reg, update: async () => Promise.reject(new Error('no')) },
    });
    await exclusiveAll(
      deps,
      'destroy',
      {},
      () => undefined,
      async () => {
        expect([...m.held.keys()].sort()).toEqual(['a', 'b']);
      },
    );
    expect(m.log).toEqual(['+a:destroy', '+b:destroy', '-b:destroy', '-a:destroy']);
  });
});

describe('the gate when the engine is lost', () => {
  it('stops at once with the engine error instead of retrying until the deadline', async () => {
    let lost = false;
    const g = gateHarness({
      timeout: 180,
      checks: [{ name: 'database', exec: { service: 'db', command: ['pg_isready'] } }],
      containers: (clock) => {
        if (clock.elapsed() >= 2000) lost = true;
        if (lost) throw new EngineUnavailableError('Docker engine did not answer within 1500 ms (sock)', 'sock');
        return [container('db', { health: 'starting' }), container('backend', { health: 'healthy' })];
      },
      exec: () => ({ exitCode: 1, output: 'no response' }),
    });
    const err = await g.run().catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ENGINE_UNAVAILABLE');
    expect(g.clock.elapsed()).toBeLessThan(3000);
  });

  it('a check that throws on a live engine is retried as before (the engine answers the ping)', async () => {
    let n = 0;
    const g = gateHarness({
      checks: [{ name: 'database', exec: { service: 'db', command: ['pg_isready'] } }],
      exec: () => {
        if (++n < 3) throw new Error('exec failed');
        return { exitCode: 0, output: 'ok' };
      },
    });
    g.engine.ping = (async () => ({ endpoint: 'e', version: '1', apiVersion: '1' })) as typeof g.engine.ping;
    const r = await g.run();
    expect(r.passed).toBe(true);
    expect(r.checks.find((c) => c.name === CONTAINERS_CHECK)?.state).toBe('passed');
  });
});
