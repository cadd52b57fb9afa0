// The live state service against a scripted engine and real registry/gate files in a temp dir: one snapshot,
// one engine request per refresh, nothing while idle, changes within 1 s, backoff while the engine is down.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../main/shared/contract';
import type { Deps } from '../../../main/core/deps';
import type { InstanceRecord } from '../../../main/shared/types';
import { viewOf } from '../../../main/core/use-cases/list';
import { createStateService, isStateChangingEvent, type LiveStateService } from '../../../main/ui-backend/state-service';
import { type ScriptedEngine, sleep, stateWorld, waitFor, type StateWorld } from './state-harness';

let world: StateWorld;
let home: string;
let engine: ScriptedEngine;
let deps: Deps;
let svc: LiveStateService | null = null;
let rec: InstanceRecord;
const registerInstance = (id: string, slot: number) => world.register(id, slot);

beforeEach(async () => {
  world = await stateWorld();
  ({ home, engine, deps, rec } = world);
});

afterEach(async () => {
  await svc?.stop();
  svc = null;
  await world.cleanup();
});

describe('state service', () => {
  it('builds one snapshot from the registry, ONE container listing and the gate files', async () => {
    svc = createStateService(deps, { repository: '/repo' });
    await svc.start();
    const s = svc.current();
    expect(s.engine).toEqual({ state: 'up', endpoint: '/var/run/docker.sock', version: '20.10.24' });
    expect(s.repository).toBe('/repo');
    expect(s.instances.map((i) => [i.id, i.status, i.containers.running, i.containers.total])).toEqual([[rec.id, 'running', 9, 9]]);
    expect(s.instances[0]!.links.find((l) => l.name === 'api')!.url).toBe('http://localhost:8001/api/v1/docs');
    expect(s.problems).toEqual([]);
    expect(engine.listCalls).toBe(1);
    expect(svc.engineRequests()).toBe(3); // ping + events + listContainers
  });

  it('makes no engine request while nothing changes', async () => {
    svc = createStateService(deps);
    await svc.start();
    // the engines' first measure (memory and fit: engine-sampler.ts) asks for one refresh more at start: let it land
    for (let t = 0; engine.listCalls < 2 && t < 40; t++) await sleep(25);
    expect(engine.listCalls).toBe(2);
    const before = svc.engineRequests();
    await sleep(400);
    engine.emit({ action: 'exec_start: curl -fsS http://127.0.0.1:8000/health', project: rec.id });
    engine.emit({ action: 'exec_die', project: rec.id });
    await sleep(300);
    expect(svc.engineRequests()).toBe(before);
  });

  it('reflects a dying container within 1 s, a burst of events costing one listing', async () => {
    svc = createStateService(deps);
    await svc.start();
    const before = engine.listCalls;
    const t0 = Date.now();
    engine.containers = engine.containers.map((c) =>
      c.service === 'backtest-worker-1' ? { ...c, state: 'exited', status: 'Exited (137)' } : c,
    );
    for (const action of ['kill', 'die', 'stop']) engine.emit({ action, project: rec.id, service: 'backtest-worker-1' });
    const s = await waitFor(svc, (snap) => snap.instances[0]?.status === 'partial');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.instances[0]!.containers).toEqual({ running: 8, healthy: 8, total: 9 });
    await sleep(150);
    expect(engine.listCalls - before).toBe(1);
  });

  it('patches a death from the event itself when the engine is slow to list, without flipping back', async () => {
    svc = createStateService(deps);
    await svc.start();
    engine.listDelayMs = 600;
    const statuses: string[] = [];
    svc.onChange((snap) => statuses.push(snap.instances[0]!.status));
    const t0 = Date.now();
    engine.containers = engine.containers.map((c) =>
      c.service === 'backtest-worker-1' ? { ...c, state: 'exited', status: 'Exited (137)' } : c,
    );
    engine.emit({ action: 'die', project: rec.id, service: 'backtest-worker-1', containerId: 'id-backtest-worker-1' });
    await waitFor(svc, (snap) => snap.instances[0]?.status === 'partial');
    expect(Date.now() - t0).toBeLessThan(300); // long before the listing answers
    await sleep(900); // the confirming refresh
    expect(engine.listCalls).toBe(2);
    expect(statuses.every((x) => x === 'partial')).toBe(true);
    expect(svc.current().instances[0]!.containers.running).toBe(8);
  });

  it('pushes a death synchronously from its event, touching nothing but that instance', async () => {
    const other = await registerInstance('ktrdr--feat-b', 2);
    svc = createStateService(deps);
    await svc.start();
    const before = svc.current();
    const pushed: Snapshot[] = [];
    svc.onChange((snap) => pushed.push(snap));
    const reads = { gates: 0 };
    const read = deps.gates.read.bind(deps.gates);
    deps.gates.read = async (id) => (reads.gates++, read(id));
    engine.emit({ action: 'die', project: rec.id, service: 'training-worker-2', containerId: 'id-training-worker-2' });
    // no await: the pushed state already has it
    expect(pushed).toHaveLength(1);
    const a = pushed[0]!.instances.find((i) => i.id === rec.id)!;
    expect(a.containers).toEqual({ running: 8, healthy: 8, total: 9 });
    expect(a.status).toBe('partial');
    expect(pushed[0]!.instances.find((i) => i.id === other.id)).toBe(before.instances.find((i) => i.id === other.id));
    expect(reads.gates).toBe(0);
    // a second die of the same container (or of one already down) changes nothing
    engine.emit({ action: 'die', project: rec.id, service: 'training-worker-2', containerId: 'id-training-worker-2' });
    expect(pushed).toHaveLength(1);
  });

  const manifest = (base: number) =>
    [
      'version: 1',
      'compose:',
      '  files: [docker-compose.sandbox.yml]',
      'ports:',
      `  - { name: api, env: KTRDR_API_PORT, slot0: 8000, base: ${base}, step: 1, service: backend }`,
      'links:',
      '  - { name: api, label: API, url: "http://localhost:${KTRDR_API_PORT}/docs" }',
      '',
    ].join('\n');

  it('derives the same views as the core (manifest, compose file, gate report), re-reading only what changed', async () => {
    await writeFile(join(rec.path, 'ktrdr-sandbox.yml'), manifest(8100));
    await deps.gates.write({
      instance: rec.id,
      passed: true,
      startedAt: '2025-01-01T00:00:00.000Z',
      elapsedMs: 900,
      timeoutMs: 180000,
      checks: [],
      logTails: {},
    });
    engine.containers = engine.containers.map((c) => (c.service === 'grafana' ? { ...c, health: 'starting' } : c));
    const counts = { gates: 0 };
    const read = deps.gates.read.bind(deps.gates);
    deps.gates.read = async (id) => (counts.gates++, read(id));
    svc = createStateService(deps);
    await svc.start();
    const expected = await viewOf(deps, rec, engine.containers);
    expect(svc.current().instances[0]).toEqual(expected);
    expect(expected.links).toEqual([{ name: 'api', label: 'API', url: 'http://localhost:8101/docs' }]);
    expect(expected.lastGate).toMatchObject({ passed: true, elapsedMs: 900 });
    counts.gates = 0;
    for (let i = 0; i < 3; i++) await svc.refresh();
    expect(counts.gates).toBe(0); // the report's file did not change
    await deps.gates.write({
      instance: rec.id,
      passed: false,
      startedAt: '2025-01-02T00:00:00.000Z',
      elapsedMs: 5,
      timeoutMs: 180000,
      checks: [],
      logTails: {},
    });
    await svc.refresh();
    expect(svc.current().instances[0]!.lastGate).toMatchObject({ passed: false, at: '2025-01-02T00:00:00.000Z' });
    expect(svc.current().instances[0]).toEqual(await viewOf(deps, rec, engine.containers));
    await writeFile(join(rec.path, 'ktrdr-sandbox.yml'), manifest(8200));
    await svc.refresh();
    expect(svc.current().instances[0]!.links[0]!.url).toBe('http://localhost:8201/docs');
    expect(svc.current().instances[0]).toEqual(await viewOf(deps, rec, engine.containers));
  });

  it('follows the registry file (atomic renames) and the gate files', async () => {
    svc = createStateService(deps);
    await svc.start();
    const t0 = Date.now();
    const b = await registerInstance('ktrdr--feat-b', 2);
    await waitFor(svc, (snap) => snap.instances.some((i) => i.id === b.id));
    expect(Date.now() - t0).toBeLessThan(1000);
    await deps.gates.write({
      instance: rec.id,
      passed: false,
      startedAt: '2025-01-01T00:00:00.000Z',
      elapsedMs: 1234,
      timeoutMs: 180000,
      checks: [
        {
          name: 'backend',
          label: 'Backend healthy',
          state: 'failed',
          message: 'HTTP 500',
          attempts: 3,
          startedAt: 0,
          elapsedMs: 1200,
          services: ['backend'],
        },
      ],
      logTails: {},
    });
    const s = await waitFor(svc, (snap) => snap.instances.find((i) => i.id === rec.id)?.lastGate !== null);
    expect(s.instances.find((i) => i.id === rec.id)!.lastGate).toEqual({
      passed: false,
      at: '2025-01-01T00:00:00.000Z',
      elapsedMs: 1234,
      failed: ['backend'],
    });
  });

  it('recomputes a view when its compose file changes (memoised views stay correct)', async () => {
    engine.containers = [];
    svc = createStateService(deps);
    await svc.start();
    expect(svc.current().instances[0]!.containers.total).toBe(9);
    engine.emit({ action: 'start', project: 'other' });
    await sleep(200);
    expect(svc.current().instances[0]!.containers.total).toBe(9);
    await writeFile(join(rec.path, 'docker-compose.sandbox.yml'), 'services:\n  db:\n    image: x\n  backend:\n    image: x\n');
    engine.emit({ action: 'start', project: 'other' });
    await waitFor(svc, (snap) => snap.instances[0]!.containers.total === 2);
  });

  it('shows an unreadable registry as a problem, never as an empty list', async () => {
    svc = createStateService(deps);
    await svc.start();
    await writeFile(join(home, 'instances.json.tmp'), '{ broken');
    const { rename } = await import('node:fs/promises');
    await rename(join(home, 'instances.json.tmp'), join(home, 'instances.json'));
    const s = await waitFor(svc, (snap) => snap.problems.length > 0);
    expect(s.problems[0]).toMatch(/registry .* is unreadable/);
    expect(s.instances.map((i) => i.id)).toEqual([rec.id]);
  });

  it('marks busy instances and pushes the change', async () => {
    svc = createStateService(deps);
    await svc.start();
    const seen: Snapshot[] = [];
    svc.onChange((s) => seen.push(s));
    svc.setBusy(rec.id, 'starting');
    expect(seen.at(-1)!.busy).toEqual({ [rec.id]: 'starting' });
    svc.setBusy(rec.id, null);
    expect(seen.at(-1)!.busy).toEqual({});
  });

  it('reports the engine down, retries with backoff, and refreshes when it is back', async () => {
    engine.up = false;
    svc = createStateService(deps, { backoffMs: { initial: 150, max: 300 } });
    const delays: number[] = [];
    svc.onChange((snap) => {
      if (snap.engine.state === 'down' && delays.at(-1) !== snap.engine.retryInMs) delays.push(snap.engine.retryInMs);
    });
    await svc.start();
    let s = svc.current();
    expect(s.engine).toMatchObject({ state: 'down', message: 'Cannot connect to the Docker daemon' });
    expect(delays[0]).toBe(150);
    // the registry side still shows, with no container known
    expect(s.instances.map((i) => i.id)).toEqual([rec.id]);
    await waitFor(svc, (snap) => snap.engine.state === 'down' && snap.engine.retryInMs === 300, 3000);
    expect(delays).toEqual([150, 300]); // doubling, capped
    const requestsWhileDown = svc.engineRequests();
    await sleep(400);
    expect(svc.engineRequests() - requestsWhileDown).toBeLessThanOrEqual(3); // one ping per 300 ms at most
    engine.up = true;
    await waitFor(svc, (snap) => snap.engine.state === 'up' && snap.instances[0]?.status === 'running', 3000);
    expect(engine.subscribers.length).toBe(1);

    // the engine stops again: the stream ends → down → back
    engine.crash();
    s = await waitFor(svc, (snap) => snap.engine.state === 'down');
    expect(s.engine).toMatchObject({ state: 'down', retryInMs: 150 });
    engine.up = true;
    await waitFor(svc, (snap) => snap.engine.state === 'up', 3000);
    expect(engine.subscribers.length).toBe(1);
  });

  it('stops watching and streaming on stop()', async () => {
    svc = createStateService(deps);
    await svc.start();
    await svc.stop();
    expect(engine.subscribers.length).toBe(0);
    const n = svc.engineRequests();
    engine.emit({ action: 'die' });
    await registerInstance('ktrdr--feat-c', 3);
    await sleep(300);
    expect(svc.engineRequests()).toBe(n);
  });
});

describe('isStateChangingEvent', () => {
  it('ignores health-check execs and other noise', () => {
    expect(isStateChangingEvent({ action: 'exec_create: curl -f http://x' })).toBe(false);
    expect(isStateChangingEvent({ action: 'exec_start: pg_isready' })).toBe(false);
    expect(isStateChangingEvent({ action: 'exec_die' })).toBe(false);
    expect(isStateChangingEvent({ action: 'attach' })).toBe(false);
    // a signal changes nothing by itself: the `die` that follows when the container exits does
    expect(isStateChangingEvent({ action: 'kill' })).toBe(false);
    for (const a of [
      'create',
      'start',
      'die',
      'stop',
      'destroy',
      'pause',
      'unpause',
      'restart',
      'oom',
      'health_status: unhealthy',
      'health_status: healthy',
    ]) {
      expect(isStateChangingEvent({ action: a }), a).toBe(true);
    }
  });
});
