// The capacity check `up` runs (use-cases/capacity-check.ts), with a fake engines port: refusal names the
// engines where it would fit, --force turns it into a warning, an unknown free memory never refuses.
import { describe, expect, it } from 'vitest';
import type { EngineFacts, EnginesPort, EngineTarget } from '../../../main/core/engines';
import { SandboxError } from '../../../main/core/errors';
import type { ProgressEvent } from '../../../main/core/events';
import { startCapacityCheck } from '../../../main/core/use-cases/capacity-check';
import type { LoadedInstance } from '../../../main/core/resolve';
import { container, FakeClock, FakeEngine, fakeDeps, makeManifest, record, T0 } from './fakes';
import type { ContainerInfo } from '../../../main/shared/types';
import { fakeEnv } from './memory-files';

const GiB = 1024 ** 3;
const target = (name: string, current = false): EngineTarget => ({
  name,
  kind: name === 'default' ? 'default' : 'context',
  endpoint: `ssh://${name}`,
  current,
});

function port(free: Record<string, number | 'down'>, lastSeenBytes: number | null, asked: string[] = []): EnginesPort {
  return {
    targets: () => [target('default', true), target('big'), target('small'), target('down')],
    async probe(t): Promise<EngineFacts> {
      asked.push(t.name);
      const f = free[t.name];
      if (f === undefined || f === 'down') throw new Error('connection refused');
      // one running container using total − free
      return { version: '27.0', cpus: 4, memTotal: 64 * GiB, running: [{ id: 'c1', labels: {} }], memUsage: { c1: 64 * GiB - f } };
    },
    lastSeen: () =>
      lastSeenBytes === null ? null : { at: new Date(T0).toISOString(), engine: 'default', memoryBytes: lastSeenBytes, containers: 3 },
    remember: () => undefined,
    listContainers: async () => [],
    composeDocs: async () => [{ services: { db: { mem_limit: '1g' }, api: {} } }],
  };
}

const ctx = (engine?: string | null): LoadedInstance => ({
  rec: record('app--a', 1, engine === undefined ? {} : { engine: { context: engine } }),
  manifest: makeManifest(),
  vars: {},
});

async function run(p: EnginesPort, c: LoadedInstance, force = false, containers: ContainerInfo[] = []) {
  const events: ProgressEvent[] = [];
  const engine = new FakeEngine();
  engine.containers = containers;
  const deps = fakeDeps({ engines: p, clock: new FakeClock(), engine, env: fakeEnv({ vars: {} }) }); // the check on
  const check = startCapacityCheck(deps, c, { force });
  const result = await check
    .finish((e) => events.push(e))
    .then(
      (v) => ({ verdict: v, error: null as SandboxError | null }),
      (e: SandboxError) => ({ verdict: null, error: e }),
    );
  return { ...result, steps: events.filter((e) => e.type === 'step') as Array<ProgressEvent & { label: string; state: string }> };
}

describe('capacity before up', () => {
  it('fits: one passed step with the figures; only its own engine is asked', async () => {
    const asked: string[] = [];
    const r = await run(port({ default: 8 * GiB }, 2 * GiB, asked), ctx());
    expect(r.error).toBeNull();
    expect(r.verdict).toMatchObject({ fits: true, engine: 'default', needBytes: 2 * GiB });
    expect(r.steps).toEqual([
      expect.objectContaining({
        id: 'capacity',
        state: 'passed',
        label: 'Memory: needs 2048 MiB (last-seen), 8192 MiB free on engine "default"',
      }),
    ]);
    expect(asked).toEqual(['default']);
  });

  it('does not fit: CAPACITY (exit 5), naming the engines where it would fit (most free first), unreachable ones left out', async () => {
    const r = await run(port({ default: 1 * GiB, big: 32 * GiB, small: 3 * GiB, down: 'down' }, 2 * GiB), ctx());
    expect(r.error).toBeInstanceOf(SandboxError);
    expect(r.error!.code).toBe('CAPACITY');
    expect(r.error!.exitCode).toBe(5);
    expect(r.error!.message).toBe(
      'app--a does not fit on engine "default": it needs last seen using 2.0 GiB + 512 MiB reserve, and 1.0 GiB is free. It would fit on: big, small.',
    );
    expect(r.error!.hint).toMatch(/--force/);
    expect(r.steps.at(-1)).toMatchObject({ id: 'capacity', state: 'failed' });
  });

  it('--force: a warning step, no error, and the other engines are not asked', async () => {
    const asked: string[] = [];
    const r = await run(port({ default: 1 * GiB, big: 32 * GiB }, 2 * GiB, asked), ctx(), true);
    expect(r.error).toBeNull();
    expect(r.verdict!.fits).toBe(false);
    expect(r.steps).toEqual([
      expect.objectContaining({
        state: 'warning',
        label: expect.stringMatching(
          /needs 2048 MiB \(last-seen\) \+ reserve, 1024 MiB free on engine "default" — started anyway \(--force\)$/,
        ),
      }),
    ]);
    expect(asked).toEqual(['default']);
  });

  it("the instance's recorded engine is the one checked; without last-seen stats the compose limits (+ default) count", async () => {
    const r = await run(port({ default: 1 * GiB, small: 3 * GiB }, null), ctx('small'));
    expect(r.error).toBeNull();
    // db 1 GiB limit + api 256 MiB default
    expect(r.verdict).toMatchObject({ fits: true, engine: 'small', needBytes: 1.25 * GiB, estimate: { source: 'compose-limits' } });
  });

  it('an engine that does not answer: not refused, said so', async () => {
    const r = await run(port({ default: 'down' }, 100 * GiB), ctx());
    expect(r.error).toBeNull();
    expect(r.verdict!.fits).toBeNull();
    expect(r.steps[0]).toMatchObject({ state: 'info', label: expect.stringMatching(/^Capacity of engine "default" unknown/) });
  });

  it('a stack already running whole: nothing measured, nothing refused', async () => {
    const asked: string[] = [];
    const running = [container('db', { project: 'app--a' }), container('backend', { project: 'app--a' })];
    const r = await run(port({ default: 1 * GiB }, 100 * GiB, asked), ctx(), false, running);
    expect(r.error).toBeNull();
    expect(r.verdict).toBeNull();
    expect(r.steps).toEqual([expect.objectContaining({ state: 'info', label: 'Memory: already running, nothing more needed' })]);
    expect(asked).toEqual([]);
    // one of its containers stopped: checked (and refused here)
    const partial = [running[0]!, container('backend', { project: 'app--a', state: 'exited' })];
    expect((await run(port({ default: 1 * GiB }, 100 * GiB), ctx(), false, partial)).error?.code).toBe('CAPACITY');
  });

  it('KTRDR_SANDBOX_CAPACITY=0: not checked at all (no engine asked, no listing, no step)', async () => {
    const asked: string[] = [];
    const engine = new FakeEngine();
    const deps = fakeDeps({
      engines: port({ default: 100 * GiB }, null, asked),
      engine,
      env: fakeEnv({ vars: { KTRDR_SANDBOX_CAPACITY: '0' } }),
    });
    const events: ProgressEvent[] = [];
    expect(await startCapacityCheck(deps, ctx()).finish((e) => events.push(e))).toBeNull();
    expect({ asked, listings: engine.listCalls, events }).toEqual({ asked: [], listings: 0, events: [] });
  });
});
