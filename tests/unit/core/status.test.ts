// status: the endpoints are probed once the engine's listing says the instance runs (a stopped one sends no
// probe); a probe that times out reads "no answer".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps, Http } from '../../../main/core/deps';
import { statusOf } from '../../../main/core/use-cases/status';
import { container, FakeEngine, fakeDeps, record, registryWith, FIXTURE_SERVICES } from './fakes';
import { MemoryFiles } from './memory-files';

// the KTRDR fixture stack's compose file, in an instance directory in memory
const FIXTURE = readFileSync(join(__dirname, '..', '..', 'fixtures', 'stack', 'docker-compose.sandbox.yml'), 'utf8');
const dir = '/repos/status';

const rec = record('ktrdr--s', 1, { path: dir });
const SERVICES = FIXTURE_SERVICES;

// The compose-file parser and yaml are imported on a model cache miss (these deps have no cache): imported once
// here, so that their first import under vitest (a transform, slow on a loaded machine) does not count against
// the 50 ms the engine takes to answer below.
beforeAll(async () => {
  await Promise.all([import('yaml'), import('../../../main/core/compose-model-parse')]);
});

function deps(engine: FakeEngine, http: Http): Deps {
  return fakeDeps({
    engine,
    http,
    registry: { file: '/x', read: async () => registryWith(rec), update: async () => undefined as never },
    gates: { read: async () => null, write: async () => undefined, remove: async () => undefined },
    files: new MemoryFiles({ [join(dir, 'docker-compose.sandbox.yml')]: FIXTURE }),
  });
}

/** Records each probe; answers after `delayMs`. */
function recordingHttp(answer: (url: string) => { status: number; body: string } | 'hang', delayMs = 5) {
  const seen: { url: string; afterListing: boolean }[] = [];
  let listed = false;
  const http: Http = {
    get: (url, timeoutMs) => {
      seen.push({ url, afterListing: listed });
      return new Promise((resolve, reject) => {
        const a = answer(url);
        setTimeout(
          () => (a === 'hang' ? reject(new Error(`GET ${url} timed out after ${timeoutMs} ms`)) : resolve(a)),
          a === 'hang' ? 20 : delayMs,
        );
      });
    },
  };
  return { http, seen, markListed: () => (listed = true) };
}

describe('status', () => {
  it('probes every HTTP check of a running instance, all at once, once the listing says it runs', async () => {
    const h = recordingHttp((url) =>
      url.includes('/workers')
        ? { status: 200, body: '{"workers":[1,2,3,4]}' }
        : url.includes('9091')
          ? 'hang'
          : { status: 200, body: '{}' },
    );
    const engine = new FakeEngine(() => {
      h.markListed();
      return SERVICES.map((s) => container(s, { project: rec.id, health: 'healthy' }));
    });
    const r = await statusOf(deps(engine, h.http), { id: rec.id });
    expect(r.instance.status).toBe('running');
    expect(r.endpoints.map((e) => [e.name, e.ok, e.detail])).toEqual([
      ['backend', true, 'HTTP 200'],
      ['workers', true, '4 registered'],
      ['grafana', true, 'HTTP 200'],
      ['jaeger', true, 'HTTP 200'],
      ['prometheus', false, 'no answer'],
    ]);
    expect(h.seen.every((s) => s.afterListing)).toBe(true);
    expect(r.services).toHaveLength(9);
  });

  it('does not probe the endpoints of services the compose file does not define', async () => {
    const cur = '/repos/status-cur';
    const { parse, stringify } = await import('yaml');
    const doc = parse(FIXTURE, { merge: true }) as { services: Record<string, unknown> };
    for (const x of ['grafana', 'jaeger', 'prometheus']) delete doc.services[x];
    const files = new MemoryFiles({ [join(cur, 'docker-compose.sandbox.yml')]: stringify(doc) });
    const rec2 = record('ktrdr--cur', 2, { path: cur });
    const h = recordingHttp((url) =>
      url.includes('/workers') ? { status: 200, body: '{"workers":[1,2,3,4]}' } : { status: 200, body: '{}' },
    );
    const engine = new FakeEngine(() => SERVICES.slice(0, 6).map((s) => container(s, { project: rec2.id, health: 'healthy' })));
    const d = fakeDeps({
      engine,
      http: h.http,
      registry: { file: '/x', read: async () => registryWith(rec2), update: async () => undefined as never },
      gates: { read: async () => null, write: async () => undefined, remove: async () => undefined },
      files,
    });
    const r = await statusOf(d, { id: rec2.id });
    expect(r.endpoints.map((e) => e.name)).toEqual(['backend', 'workers']);
    expect(h.seen.map((x) => x.url)).toEqual(['http://127.0.0.1:8002/api/v1/health', 'http://127.0.0.1:8002/api/v1/workers']);
    expect(r.instance.links.map((l) => l.name)).toEqual(['api']);
    expect(r.instance.ports.find((p) => p.name === 'jaeger')?.used).toBe(false);
  });

  it('a stopped instance: no endpoints, and no probe sent', async () => {
    const h = recordingHttp(() => ({ status: 200, body: '{}' }));
    const engine = new FakeEngine(() => SERVICES.map((s) => container(s, { project: rec.id, state: 'exited' })));
    const r = await statusOf(deps(engine, h.http), { id: rec.id });
    expect(r.instance.status).toBe('stopped');
    expect(r.endpoints).toEqual([]);
    expect(h.seen).toEqual([]);
  });

  it('an engine failure is reported, and no probe sent', async () => {
    const h = recordingHttp(() => ({ status: 200, body: '{}' }));
    const engine = new FakeEngine(() => {
      throw new Error('engine down');
    });
    await expect(statusOf(deps(engine, h.http), { id: rec.id })).rejects.toThrow('engine down');
    expect(h.seen).toEqual([]);
  });
});
