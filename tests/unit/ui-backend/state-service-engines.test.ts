// The live state service across engines (issue 13): instances on other engines listed with each refresh (an engine
// that does not answer marks its instances, never drops them), polled only while their event stream is down, and
// those engines' event streams followed through the remotes port, reconnecting with backoff.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, Deps, Engine } from '../../../main/core/deps';
import type { ContainerInfo, InstanceRecord } from '../../../main/shared/types';
import { createStateService, type LiveStateService } from '../../../main/ui-backend/state-service';
import { container, inertSync } from '../core/fakes';
import type { EnginesPort, EngineTarget } from '../../../main/core/engines';
import type { InstanceEngine, RemotesPort } from '../../../main/core/remotes';
import { SERVICES, ScriptedEngine, sleep, stateWorld, waitFor, type StateWorld } from './state-harness';

let world: StateWorld;
let engine: ScriptedEngine;
let deps: Deps;
let svc: LiveStateService | null = null;
let rec: InstanceRecord;
const registerInstance = (id: string, slot: number) => world.register(id, slot);

beforeEach(async () => {
  world = await stateWorld();
  ({ engine, deps, rec } = world);
});

afterEach(async () => {
  await svc?.stop();
  svc = null;
  await world.cleanup();
});

describe('state service across engines (issue 13)', () => {
  /** Engines "lab" (answers) and "attic" (does not); the default one is the scripted engine. */
  function withEngines(lab: { containers: ContainerInfo[]; calls: number }) {
    const targets: EngineTarget[] = [
      { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true },
      { name: 'lab', kind: 'context', endpoint: 'ssh://root@127.0.0.1:2222', current: false },
      { name: 'attic', kind: 'context', endpoint: 'ssh://root@10.9.9.9', current: false },
    ];
    (deps as { clock: Clock }).clock = { now: () => Date.now(), sleep: async (ms) => void (await sleep(ms)) };
    const engines: EnginesPort = {
      targets: () => targets,
      listContainers: async (t) => {
        if (t.name === 'attic') throw new Error('ssh: connect to host 10.9.9.9 port 22: No route to host');
        lab.calls++;
        return lab.containers.map((c) => ({ ...c }));
      },
      // the dashboard's sampler (memory bars): no engine answers it here
      probe: async (t) => {
        throw new Error(`ssh: ${t.name} does not answer`);
      },
      lastSeen: () => null,
      remember: () => undefined,
      composeDocs: async () => [],
    };
    (deps as { engines: EnginesPort }).engines = engines;
  }

  async function placeOn(id: string, slot: number, context: string): Promise<void> {
    await registerInstance(id, slot);
    await deps.registry.update((reg) => void (reg.instances[id]!.engine = { context, endpoint: `ssh://${context}` }));
  }

  it('lists every engine an instance runs on: remote containers shown, an unreachable engine marks its instances (never drops them)', async () => {
    const lab = { containers: [] as ContainerInfo[], calls: 0 };
    withEngines(lab);
    await placeOn('ktrdr--far', 2, 'lab');
    await placeOn('ktrdr--attic', 3, 'attic');
    lab.containers = SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` }));
    svc = createStateService(deps, { remotePollMs: 100 });
    await svc.start();
    const byId = new Map(svc.current().instances.map((i) => [i.id, i]));
    expect([...byId.keys()].sort()).toEqual(['ktrdr--attic', 'ktrdr--far', rec.id]);
    expect(byId.get(rec.id)).toMatchObject({ status: 'running' });
    expect(byId.get(rec.id)!.engineStatus).toBeUndefined();
    expect(byId.get('ktrdr--far')).toMatchObject({ status: 'running', engineStatus: { name: 'lab', reachable: true } });
    expect(byId.get('ktrdr--attic')!.engineStatus).toMatchObject({
      name: 'attic',
      reachable: false,
      error: expect.stringContaining('No route'),
    });
    expect(svc.current().orphans).toEqual([]);
    expect(svc.current().problems).toEqual([]);
  });

  it('polls the remote engines on its own, refreshing (one default-engine listing) only when they changed', async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    withEngines(lab);
    // no event stream of that engine can be opened here: the state service polls it (streams: the next describe)
    const remotes: RemotesPort = {
      connect: async () => {
        throw new Error('ssh: connect to host 127.0.0.1 port 2222: Connection refused');
      },
      sync: inertSync(),
    };
    Object.assign(deps, { remotes });
    await placeOn('ktrdr--far', 2, 'lab');
    svc = createStateService(deps, { remotePollMs: 100 });
    await svc.start();
    // the dashboard's engine sampler answers once after the start (a new engine in use) and refreshes for it;
    // after that it samples at most every 15 s, so only the remote polls run below
    await sleep(200);
    const before = engine.listCalls;
    await sleep(450);
    expect(lab.calls).toBeGreaterThanOrEqual(3); // polled
    expect(engine.listCalls).toBe(before); // nothing changed there: the default engine is not asked
    lab.containers = lab.containers.map((c) => (c.service === 'backend' ? { ...c, state: 'exited', health: 'none' } : c));
    const s = await waitFor(svc, (x) => x.instances.find((i) => i.id === 'ktrdr--far')?.status === 'partial', 1500);
    expect(s.instances.find((i) => i.id === 'ktrdr--far')!.containers.running).toBe(SERVICES.length - 1);
    expect(engine.listCalls).toBe(before + 1);
  });
});

describe('state service: the event streams of other engines (issue 13)', () => {
  function withLab(lab: { containers: ContainerInfo[]; calls: number }): ScriptedEngine {
    const targets: EngineTarget[] = [
      { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: true },
      { name: 'lab', kind: 'context', endpoint: 'ssh://root@127.0.0.1:2222', current: false },
    ];
    const engines: EnginesPort = {
      targets: () => targets,
      listContainers: async () => (lab.calls++, lab.containers.map((c) => ({ ...c }))),
      probe: async (t) => {
        throw new Error(`ssh: ${t.name} does not answer`);
      },
      lastSeen: () => null,
      remember: () => undefined,
      composeDocs: async () => [],
    };
    const there = new ScriptedEngine(); // the lab engine's own event stream, reached through the remotes port
    const remotes: RemotesPort = {
      connect: async (r) => {
        if (!there.up) throw new Error('ssh: connect to host 127.0.0.1 port 2222: Connection refused');
        return { name: r.engine!.context!, side: { engine: there as unknown as Engine } as InstanceEngine['side'], remote: null };
      },
      sync: inertSync(),
    };
    Object.assign(deps, { engines, remotes, clock: { now: () => Date.now(), sleep } });
    return there;
  }

  /** ktrdr--far, registered on the lab engine, whose containers are lab's; that engine's event stream. */
  async function farOnLab(lab: { containers: ContainerInfo[]; calls: number }): Promise<ScriptedEngine> {
    const there = withLab(lab);
    await registerInstance('ktrdr--far', 2);
    await deps.registry.update((reg) => void (reg.instances['ktrdr--far']!.engine = { context: 'lab', endpoint: 'ssh://lab' }));
    return there;
  }

  it("a container stopped on a remote engine shows from that engine's event stream, with no poll", async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    const there = await farOnLab(lab);
    const log: string[] = [];
    svc = createStateService(deps, { remotePollMs: 60_000, log: { info: (m) => log.push(m) } });
    await svc.start();
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    expect(there.subscribers).toHaveLength(1);
    expect(log).toContain('engine lab: event stream followed');
    await sleep(200); // the refreshes of the start settle
    const listed = lab.calls;
    lab.containers = lab.containers.map((c) => (c.service === 'backend' ? { ...c, state: 'exited', health: 'none' } : c));
    there.emit({ project: 'ktrdr--far', service: 'backend', action: 'die', containerId: 'far-backend' });
    const snap = await waitFor(svc, (x) => x.instances.find((i) => i.id === 'ktrdr--far')?.status === 'partial', 1500);
    expect(snap.instances.find((i) => i.id === 'ktrdr--far')!.containers.running).toBe(SERVICES.length - 1);
    // patched from the event at once; the refresh it schedules lists that engine again (the poll is 60 s away)
    for (let t0 = Date.now(); lab.calls === listed && Date.now() - t0 < 1000;) await sleep(5);
    expect(lab.calls).toBeGreaterThan(listed);
    expect(svc.current().instances.find((i) => i.id === 'ktrdr--far')!.status).toBe('partial');
  });

  it('polls that engine only while its stream is down, and follows it again when it is back', async () => {
    const lab = { containers: SERVICES.map((s) => container(s, { project: 'ktrdr--far', id: `far-${s}` })), calls: 0 };
    const there = await farOnLab(lab);
    const log: string[] = [];
    svc = createStateService(deps, { remotePollMs: 50, backoffMs: { initial: 300, max: 300 }, log: { info: (m) => log.push(m) } });
    await svc.start();
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    await sleep(250);
    const quiet = lab.calls;
    await sleep(250);
    expect(lab.calls).toBe(quiet); // every stream up: no poll
    there.crash(); // the stream ends, and the next connects fail for a while
    await sleep(250);
    expect(lab.calls).toBeGreaterThanOrEqual(quiet + 3); // polled every 50 ms meanwhile
    expect(log.some((l) => /^engine lab: event stream lost, retrying in 300ms/.test(l))).toBe(true);
    there.up = true;
    for (let t0 = Date.now(); !there.subscribers.length && Date.now() - t0 < 2000;) await sleep(5);
    expect(log).toContain('engine lab: event stream reconnected');
    await sleep(200);
    const after = lab.calls;
    await sleep(250);
    expect(lab.calls).toBe(after); // followed again: the poll stopped
  });
});
