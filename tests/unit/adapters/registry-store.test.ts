import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryStore, REGISTRY_FILE } from '../../../main/adapters/registry-store';
import { SandboxError } from '../../../main/core/errors';
import { emptyRegistry } from '../../../main/core/registry';
import { record } from '../core/fakes';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sbx-registry-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function expectCorrupt(p: Promise<unknown>, why: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  expect((err as SandboxError).code).toBe('REGISTRY_CORRUPT');
  expect((err as SandboxError).exitCode).toBe(1);
  expect((err as SandboxError).message).toMatch(why);
  expect((err as SandboxError).message).toMatch(/left untouched/);
  expect((err as SandboxError).hint).toMatch(/\.broken/);
}

describe('registry store', () => {
  it('a missing file reads as an empty registry (and nothing is created)', async () => {
    const store = createRegistryStore(home);
    expect(store.file).toBe(join(home, REGISTRY_FILE));
    expect(await store.read()).toEqual(emptyRegistry());
    expect(await readdir(home)).toEqual([]);
  });

  it('update creates the home, writes pretty JSON and returns the callback result', async () => {
    const nested = join(home, 'deep', 'er');
    const store = createRegistryStore(nested);
    const result = await store.update((reg) => {
      reg.instances.a = record('a', 1);
      return 'done';
    });
    expect(result).toBe('done');
    const text = await readFile(store.file, 'utf8');
    const expected = { version: 2, instances: { a: record('a', 1) }, blacklist: {} };
    expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(await store.read()).toEqual(expected);
  });

  it('writes atomically: no temp files or lock left behind', async () => {
    const store = createRegistryStore(home);
    await store.update((reg) => {
      reg.instances.a = record('a', 1);
    });
    await store.update((reg) => {
      reg.blacklist['4'] = { reason: 'busy', at: '2025-01-01T00:00:00.000Z' };
    });
    expect(await readdir(home)).toEqual([REGISTRY_FILE]);
  });

  it('an async callback is awaited before writing', async () => {
    const store = createRegistryStore(home);
    await store.update(async (reg) => {
      await new Promise((r) => setTimeout(r, 10));
      reg.instances.late = record('late', 2);
    });
    expect(Object.keys((await store.read()).instances)).toEqual(['late']);
  });

  it('a callback that throws aborts without writing and releases the lock', async () => {
    const store = createRegistryStore(home);
    await store.update((reg) => {
      reg.instances.a = record('a', 1);
    });
    const before = await readFile(store.file, 'utf8');
    await expect(
      store.update((reg) => {
        reg.instances.b = record('b', 2);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await readFile(store.file, 'utf8')).toBe(before);
    expect(await readdir(home)).toEqual([REGISTRY_FILE]);
    await store.update((reg) => {
      reg.instances.c = record('c', 3);
    });
    expect(Object.keys((await store.read()).instances).sort()).toEqual(['a', 'c']);
  });

  describe('a corrupt file is never overwritten', () => {
    it.each([
      ['invalid JSON', '{"version": 1, "instances": {', /not valid JSON/],
      ['an empty file', '', /not valid JSON/],
      ['a wrong version', JSON.stringify({ version: 0, instances: {}, blacklist: {} }), /unexpected content at version/],
      ['a newer version', JSON.stringify({ version: 3, instances: {}, blacklist: {} }), /version 3, written by a newer ktrdr-sandbox/],
      [
        'a wrong shape',
        JSON.stringify({ version: 1, instances: { a: { id: 'a', slot: 'one' } }, blacklist: {} }),
        /unexpected content at instances\.a/,
      ],
      ['a JSON array', '[]', /unexpected content at \(root\)/],
    ])('%s → REGISTRY_CORRUPT from read() and update(), bytes unchanged', async (_what, content, why) => {
      const store = createRegistryStore(home);
      await writeFile(store.file, content);
      let called = false;
      await expectCorrupt(store.read(), why);
      await expectCorrupt(
        store.update(() => {
          called = true;
        }),
        why,
      );
      expect(called).toBe(false);
      expect(await readFile(store.file, 'utf8')).toBe(content);
      expect(await readdir(home)).toEqual([REGISTRY_FILE]);
    });
  });

  it('20 concurrent updates each adding a key all land (no lost update)', async () => {
    const stores = Array.from({ length: 20 }, () => createRegistryStore(home));
    await Promise.all(
      stores.map((store, i) =>
        store.update(async (reg) => {
          await new Promise((r) => setTimeout(r, 1));
          // slots 0-10 hold one instance each (two on one slot is refused); the rest add blacklist keys
          if (i <= 10) reg.instances[`i${i}`] = record(`i${i}`, i);
          else reg.blacklist[`x${i}`] = { reason: `r${i}`, at: '2025-01-01T00:00:00.000Z' };
        }),
      ),
    );
    const reg = await createRegistryStore(home).read();
    expect(Object.keys(reg.instances).sort()).toEqual(Array.from({ length: 11 }, (_, i) => `i${i}`).sort());
    expect(Object.keys(reg.blacklist)).toHaveLength(9);
    expect(await readdir(home)).toEqual([REGISTRY_FILE]);
  }, 30_000);
});
