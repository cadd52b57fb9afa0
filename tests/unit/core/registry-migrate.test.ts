// Registry v1 → v2: every instance and every unknown key kept, the old text kept as instances.v1.json before
// the first write, a newer version refused untouched.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import type { SandboxError } from '../../../main/core/errors';
import { REGISTRY_VERSION } from '../../../main/core/registry';
import { backupName, migrateRegistry } from '../../../main/core/registry-migrate';
import { record } from './fakes';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sbx-migrate-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const v1 = () => ({
  version: 1,
  owner: 'abc',
  instances: {
    a: { ...record('a', 1), note: 'mine' },
    b: { ...record('b', 2), origin: 'init' },
    c: { ...record('c', 3), state: 'creating', pid: 42 },
  },
  blacklist: { '4': { reason: 'busy', at: 't' } },
});

describe('migrateRegistry (pure)', () => {
  it('version 1: every instance on the default engine, every other key kept', () => {
    const m = migrateRegistry(v1(), '/x/instances.json');
    expect(m.from).toBe(1);
    const d = m.data as ReturnType<typeof v1> & { instances: Record<string, { engine: unknown }> };
    expect(d.version).toBe(REGISTRY_VERSION);
    expect(Object.keys(d.instances)).toEqual(['a', 'b', 'c']);
    for (const [k, rec] of Object.entries(d.instances)) {
      expect(rec).toEqual({ ...v1().instances[k as 'a'], engine: { context: null } });
    }
    expect(d.owner).toBe('abc');
    expect(d.blacklist).toEqual(v1().blacklist);
  });

  it('the current version and non-registries pass unchanged; a newer version is refused', () => {
    const cur = { version: REGISTRY_VERSION, instances: {}, blacklist: {} };
    expect(migrateRegistry(cur, 'f')).toEqual({ data: cur, from: null });
    expect(migrateRegistry([1], 'f')).toEqual({ data: [1], from: null });
    expect(() => migrateRegistry({ version: REGISTRY_VERSION + 1, instances: {} }, '/x/instances.json')).toThrow(
      /version 3, written by a newer ktrdr-sandbox/,
    );
    expect(backupName('/x/instances.json', 1)).toBe('/x/instances.v1.json');
  });
});

describe('registry store migration', () => {
  it('reads a version 1 file as version 2 without writing anything', async () => {
    const store = createRegistryStore(home);
    const text = JSON.stringify(v1(), null, 2);
    await writeFile(store.file, text);
    const reg = await store.read();
    expect(reg.version).toBe(2);
    expect(Object.keys(reg.instances)).toEqual(['a', 'b', 'c']);
    expect(reg.instances.a!.engine).toEqual({ context: null });
    expect(await readFile(store.file, 'utf8')).toBe(text);
    expect(await readdir(home)).toEqual(['instances.json']);
  });

  it('the first write keeps the old file as instances.v1.json, then writes version 2 with every instance', async () => {
    const store = createRegistryStore(home);
    const text = JSON.stringify(v1(), null, 2);
    await writeFile(store.file, text);
    await store.update((reg) => {
      reg.instances.d = record('d', 5);
    });
    expect(await readFile(join(home, 'instances.v1.json'), 'utf8')).toBe(text);
    const after = JSON.parse(await readFile(store.file, 'utf8'));
    expect(after.version).toBe(2);
    expect(Object.keys(after.instances).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(after.instances.a).toEqual({ ...v1().instances.a, engine: { context: null } });
    expect(after.instances.c).toMatchObject({ state: 'creating', pid: 42 });
    expect(after.owner).toBe('abc');
    // a second write: nothing more to migrate, the backup stays as it was
    await store.update((reg) => {
      delete reg.instances.d;
    });
    expect((await readdir(home)).sort()).toEqual(['instances.json', 'instances.v1.json']);
    expect(await readFile(join(home, 'instances.v1.json'), 'utf8')).toBe(text);
  });

  it('an older backup is never overwritten', async () => {
    const store = createRegistryStore(home);
    await writeFile(join(home, 'instances.v1.json'), 'an earlier backup');
    await writeFile(store.file, JSON.stringify(v1()));
    await store.update(() => undefined);
    const files = (await readdir(home)).sort();
    expect(files).toHaveLength(3);
    expect(await readFile(join(home, 'instances.v1.json'), 'utf8')).toBe('an earlier backup');
    const second = files.find((f) => /^instances\.v1-\d+\.json$/.test(f))!;
    expect(JSON.parse(await readFile(join(home, second), 'utf8')).version).toBe(1);
  });

  it('a file of a newer version is refused and left untouched', async () => {
    const store = createRegistryStore(home);
    const text = JSON.stringify({ version: 3, instances: {}, blacklist: {} });
    await writeFile(store.file, text);
    const err = await store
      .update(() => undefined)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as SandboxError).code).toBe('REGISTRY_CORRUPT');
    expect((err as SandboxError).message).toMatch(/newer ktrdr-sandbox/);
    expect(await readFile(store.file, 'utf8')).toBe(text);
  });
});
