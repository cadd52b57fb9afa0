import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createComposeModelCache } from '../../../main/adapters/compose-model-cache';
import { createDeps } from '../../../main/adapters/index';
import { lazyAdapter } from '../../../main/adapters/lazy';
import { readComposeModel } from '../../../main/core/compose-model';
import type { ComposeModel } from '../../../main/shared/types';
import { nodeFiles } from '../../../main/adapters/files';

describe('lazyAdapter', () => {
  interface Greeter {
    hello(name: string): Promise<string>;
    count(): Promise<number>;
  }

  const METHODS = { hello: true, count: true } as const;

  it('loads the adapter on the first call only, then forwards every call', async () => {
    let loads = 0;
    let calls = 0;
    const g = lazyAdapter<Greeter>(async () => {
      loads++;
      return { hello: async (n) => `hi ${n}`, count: async () => ++calls };
    }, METHODS);
    expect(loads).toBe(0);
    const fn = g.hello; // taking a method does not load either
    expect(loads).toBe(0);
    expect(await fn('a')).toBe('hi a');
    expect(await Promise.all([g.count(), g.count()])).toEqual([1, 2]);
    expect(loads).toBe(1);
  });

  it('is a plain object (no Proxy): exactly the listed methods, not a thenable', () => {
    const g = lazyAdapter<Greeter>(async () => ({ hello: async () => 'x', count: async () => 1 }), METHODS);
    expect(Object.keys(g).sort()).toEqual(['count', 'hello']);
    expect((g as unknown as { then?: unknown }).then).toBeUndefined();
    expect('other' in g).toBe(false); // an absent method is absent, not a stub that fails when called
  });

  it('a failed load rejects the call', async () => {
    const g = lazyAdapter<Greeter>(async () => {
      throw new Error('module missing');
    }, METHODS);
    await expect(g.hello('a')).rejects.toThrow('module missing');
  });

  it("createDeps' lazy adapters have every method of their interface", () => {
    const deps = createDeps({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
    // the optional-looking calls of the core: present on the real adapters
    for (const m of ['networkPeers', 'networkMembers', 'connectNetwork', 'disconnectNetwork', 'inspect'])
      expect(typeof (deps.engine as unknown as Record<string, unknown>)[m]).toBe('function');
    expect(typeof deps.git.diffStat).toBe('function');
    expect(typeof deps.locks.tryAcquire).toBe('function');
    expect(typeof deps.volumeIo.importVolume).toBe('function');
  });

  it('createDeps touches nothing: the registry of a fresh home reads as empty', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sbx-deps-'));
    try {
      const deps = createDeps({ env: { ...process.env, KTRDR_SANDBOX_HOME: home, DOCKER_HOST: 'unix:///nonexistent.sock' } });
      expect(await deps.registry.read()).toEqual({ version: 2, instances: {}, blacklist: {} });
      expect(deps.endpoint.display).toContain('/nonexistent.sock');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('compose model cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sbx-cmc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const model = (name: string): ComposeModel => ({ files: [name], services: {}, externalNetworks: [], externalVolumes: [], variables: [] });

  it('keeps models between processes (a second cache object reads the file)', async () => {
    createComposeModelCache(dir).set('sig-a', model('a'));
    const again = createComposeModelCache(dir);
    expect(again.get('sig-a')).toEqual(model('a'));
    expect(again.get('sig-b')).toBeUndefined();
  });

  it('a broken cache file is an empty cache, and is replaced on the next write', async () => {
    await mkdir(join(dir, 'cache'));
    await writeFile(join(dir, 'cache', 'compose-models.json'), '{not json');
    const c = createComposeModelCache(dir);
    expect(c.get('x')).toBeUndefined();
    c.set('x', model('x'));
    expect(JSON.parse(await readFile(join(dir, 'cache', 'compose-models.json'), 'utf8')).entries.x).toEqual(model('x'));
  });

  it('keeps at most 200 entries, dropping the oldest', () => {
    const c = createComposeModelCache(dir);
    for (let i = 0; i < 205; i++) c.set(`s${i}`, model(String(i)));
    const again = createComposeModelCache(dir);
    expect(again.get('s0')).toBeUndefined();
    expect(again.get('s4')).toBeUndefined();
    expect(again.get('s5')).toEqual(model('5'));
    expect(again.get('s204')).toEqual(model('204'));
  });

  it('readComposeModel uses a cached model until a file changes', async () => {
    const file = join(dir, 'docker-compose.yml');
    await writeFile(file, 'services:\n  a:\n    image: x\n');
    const cache = createComposeModelCache(join(dir, 'home'));
    const first = await readComposeModel(dir, ['docker-compose.yml'], cache, nodeFiles);
    expect(Object.keys(first.services)).toEqual(['a']);
    // Same content on disk, different model in the cache: the cache answers (no YAML parsing).
    const sig = JSON.parse(await readFile(join(dir, 'home', 'cache', 'compose-models.json'), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    const [key] = Object.keys(sig.entries);
    cache.set(key!, { ...first, services: { cached: { name: 'cached', profiles: [], ports: [], hasHealthcheck: false } } });
    expect(Object.keys((await readComposeModel(dir, ['docker-compose.yml'], cache, nodeFiles)).services)).toEqual(['cached']);
    // A changed file (new size and mtime) is parsed again.
    await writeFile(file, 'services:\n  a:\n    image: x\n  b:\n    image: y\n');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(Object.keys((await readComposeModel(dir, ['docker-compose.yml'], cache, nodeFiles)).services)).toEqual(['a', 'b']);
  });

  it('a missing file fails the same way with or without a cache', async () => {
    const cache = createComposeModelCache(join(dir, 'home'));
    await expect(readComposeModel(dir, ['nope.yml'], cache, nodeFiles)).rejects.toThrow(`Compose file not found: ${join(dir, 'nope.yml')}`);
  });
});
