// list across engines with fakes: each engine asked at once with its own deadline; an unreachable one marks its
// instances, never drops them (no pruning while it is unknown); containers of other projects there are ignored.
import { describe, expect, it } from 'vitest';
import type { EnginesPort, EngineTarget } from '../../../main/core/engines';
import { listAcrossEngines } from '../../../main/core/use-cases/list-engines';
import type { ContainerInfo, RegistryData } from '../../../main/shared/types';
import { container, FakeClock, FakeEngine, fakeDeps, record, registryWith } from './fakes';

const target = (name: string, current = false): EngineTarget => ({
  name,
  kind: name === 'default' ? 'default' : 'context',
  endpoint: `ssh://${name}`,
  current,
});

function port(answers: Record<string, ContainerInfo[] | 'down' | 'hang'>): EnginesPort & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    targets: () => [target('default', true), target('lab'), target('far')],
    probe: async () => {
      throw new Error('not used');
    },
    async listContainers(t, { signal }) {
      asked.push(t.name);
      const a = answers[t.name];
      if (a === 'down' || a === undefined) throw new Error('ssh: connect to host far port 22: Connection refused');
      if (a === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return a;
    },
    lastSeen: () => null,
    remember: () => undefined,
    composeDocs: async () => [],
  };
}

function depsWith(reg: RegistryData, p: EnginesPort, local: ContainerInfo[]) {
  const engine = new FakeEngine();
  engine.containers = local;
  let written = false;
  let reads = 0;
  const listings: unknown[] = [];
  const list = engine.listContainers.bind(engine);
  engine.listContainers = (o) => {
    listings.push(o);
    return list(o);
  };
  const registry = {
    file: '/x',
    read: async () => {
      reads++;
      return reg;
    },
    update: async <T>(fn: (r: RegistryData) => T | Promise<T>) => {
      written = true;
      return fn(reg);
    },
  };
  return {
    deps: fakeDeps({ engine, registry, engines: p, clock: new FakeClock(), gates: { read: async () => null } as never }),
    written: () => written,
    counts: () => ({ reads, listings }),
  };
}

describe('list across engines', () => {
  it('one instance per engine: each listed on its own engine, foreign projects there ignored', async () => {
    const reg = registryWith(
      record('a', 1, { path: '/nonexistent/a' }),
      record('b', 2, { path: '/nonexistent/b', engine: { context: 'lab' } }),
    );
    const p = port({ lab: [container('backend', { project: 'b' }), container('web', { project: 'someone-else' })] });
    const { deps } = depsWith(reg, p, [container('backend', { project: 'a' })]);
    const r = await listAcrossEngines(deps, { prune: false });
    const by = Object.fromEntries(r.instances.map((i) => [i.id, i]));
    expect(by.a!.containers.total).toBe(1);
    expect(by.a!.engineStatus).toBeUndefined();
    expect(by.b!.containers.total).toBe(1);
    expect(by.b!.engineStatus).toEqual({ name: 'lab', reachable: true });
    expect(r.orphans.map((o) => o.project)).not.toContain('someone-else');
    expect(p.asked).toEqual(['lab']);
  });

  it('an engine that is down or hangs: its instances marked unreachable within the deadline, none pruned', async () => {
    const reg = registryWith(
      record('a', 1, { path: '/nonexistent/a' }),
      record('b', 2, { path: '/nonexistent/b', engine: { context: 'lab' } }),
      record('c', 3, { path: '/nonexistent/c', engine: { context: 'far' } }),
    );
    const p = port({ lab: 'hang', far: 'down' });
    const { deps, written } = depsWith(reg, p, []);
    const t0 = Date.now();
    const r = await listAcrossEngines(deps, { timeoutMs: 150 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.instances.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(r.instances[1]!.engineStatus).toEqual({ name: 'lab', reachable: false, error: 'no answer within 150 ms' });
    expect(r.instances[2]!.engineStatus).toMatchObject({
      name: 'far',
      reachable: false,
      error: expect.stringMatching(/Connection refused/),
    });
    expect(r.pruned).toEqual([]);
    expect(written()).toBe(false);
  });

  it('everything on the current engine: the single listing of before, no other engine asked', async () => {
    const reg = registryWith(record('a', 1, { path: '/nonexistent/a', engine: { context: null } }));
    const p = port({});
    const { deps } = depsWith(reg, p, [container('backend', { project: 'a' })]);
    const r = await listAcrossEngines(deps, { prune: false });
    expect(r.instances[0]!.engineStatus).toBeUndefined();
    expect(p.asked).toEqual([]);
  });

  it('reads the registry once and lists the current engine once, with other engines or without', async () => {
    for (const reg of [
      registryWith(record('a', 1, { path: '/nonexistent/a' })),
      registryWith(record('a', 1, { path: '/nonexistent/a' }), record('b', 2, { path: '/nonexistent/b', engine: { context: 'lab' } })),
    ]) {
      const { deps, counts } = depsWith(reg, port({ lab: [] }), [container('backend', { project: 'a' })]);
      await listAcrossEngines(deps, { prune: false });
      expect(counts()).toEqual({ reads: 1, listings: [{ all: true }] });
    }
  });
});
