// The registry store's rules (issue 9, items 4 and 7) on real files: unknown keys kept, file mode kept,
// read-only/directory files refused before anything changes, stale locks of dead processes broken.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../main/adapters/pid-lock';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { record } from '../core/fakes';

const deadPid = () => spawnSync('true').pid!;

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sbx-rules-'));
});
afterEach(async () => {
  await chmod(home, 0o755).catch(() => undefined);
  await rm(home, { recursive: true, force: true });
});

describe('registry store rules', () => {
  it('keeps unknown top-level and per-entry keys on rewrite', async () => {
    const store = createRegistryStore(home);
    const file = store.file;
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        owner: 'abc',
        future: { x: 1 },
        instances: { a: { ...record('a', 1), note: 'mine' } },
        blacklist: { '4': { reason: 'r', at: 't', extra: true } },
      }),
    );
    await store.update((reg) => {
      reg.instances.b = record('b', 2);
    });
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.owner).toBe('abc');
    expect(after.future).toEqual({ x: 1 });
    expect(after.instances.a.note).toBe('mine');
    expect(after.blacklist['4'].extra).toBe(true);
    expect(after.instances.b.id).toBe('b');
  });

  it('keeps the file mode (0600 stays 0600)', async () => {
    const store = createRegistryStore(home);
    await store.update(() => undefined);
    await chmod(store.file, 0o600);
    await store.update((reg) => {
      reg.instances.a = record('a', 1);
    });
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a read-only file before the change runs, leaving it as it was', async () => {
    const store = createRegistryStore(home);
    await store.update(() => undefined);
    await chmod(store.file, 0o444);
    const before = await readFile(store.file, 'utf8');
    let ran = false;
    await expect(
      store.update(() => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'STATE', message: expect.stringMatching(/is read-only \(mode 0444\).*nothing was changed/) });
    expect(ran).toBe(false);
    expect(await readFile(store.file, 'utf8')).toBe(before);
    expect((await stat(store.file)).mode & 0o777).toBe(0o444);
  });

  it('a registry path that is a directory: a clear error for reads and writes', async () => {
    const store = createRegistryStore(home);
    await mkdir(store.file);
    await expect(store.read()).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT', message: expect.stringMatching(/is a directory/) });
    await expect(store.update(() => undefined)).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT' });
  });

  it('refuses to read (and so to act on) duplicate slots and key/id mismatches', async () => {
    const store = createRegistryStore(home);
    await writeFile(store.file, JSON.stringify({ version: 1, instances: { a: record('a', 2), b: record('b', 2) }, blacklist: {} }));
    await expect(store.read()).rejects.toMatchObject({
      code: 'REGISTRY_CORRUPT',
      message: expect.stringMatching(/both hold slot 2.*left untouched/),
    });
    await writeFile(store.file, JSON.stringify({ version: 1, instances: { a: record('b', 2) }, blacklist: {} }));
    await expect(store.update(() => undefined)).rejects.toMatchObject({
      code: 'REGISTRY_CORRUPT',
      message: expect.stringMatching(/"a" has id "b"/),
    });
  });

  it('loads entries written before origin/state existed, and ones with them', async () => {
    const store = createRegistryStore(home);
    await writeFile(
      store.file,
      JSON.stringify({
        version: 1,
        instances: { a: record('a', 1), b: record('b', 2, { origin: 'init', state: 'creating', pid: 42 }) },
        blacklist: {},
      }),
    );
    const reg = await store.read();
    expect(reg.instances.a!.origin).toBeUndefined();
    expect(reg.instances.b).toMatchObject({ origin: 'init', state: 'creating', pid: 42 });
  });

  it("breaks the lock of a dead process at once (and an older version's lock, a directory with the pid)", async () => {
    const store = createRegistryStore(home, { lockWaitMs: 60_000 });
    const dead = deadPid();
    await writeFile(`${store.file}.lock`, `${JSON.stringify({ pid: dead, host: hostname(), op: 'registry', since: 'x', token: 't' })}\n`);
    const t0 = Date.now();
    await store.update((reg) => {
      reg.instances.a = record('a', 1);
    });
    await mkdir(`${store.file}.lock`);
    await writeFile(join(`${store.file}.lock`, 'pid'), `${dead}\n`);
    await store.update((reg) => {
      reg.instances.b = record('b', 2);
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(Object.keys((await store.read()).instances).sort()).toEqual(['a', 'b']);
    expect(existsSync(`${store.file}.lock`)).toBe(false);
  });

  it('waits for a live holder, then reports who holds it', async () => {
    const store = createRegistryStore(home, { lockWaitMs: 300 });
    const release = await acquireLock(`${store.file}.lock`, { waitMs: 0 });
    await expect(store.update(() => undefined)).rejects.toMatchObject({
      code: 'REGISTRY_LOCKED',
      message: expect.stringContaining(`process ${process.pid}`),
    });
    await release();
    await store.update(() => undefined);
  });
});
