// The registry's own rules (issue 9, items 4 and 7): consistency, origin of old entries, unknown keys kept,
// file mode kept, read-only/immutable/directory files refused before anything changes, stale locks broken.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidLock, LockBusyError } from '../../../main/adapters/pid-lock';
import { createHostEnv } from '../../../main/adapters/host-env';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import { originOf, registryInconsistency } from '../../../main/core/registry';
import { ownerAlive } from '../../../main/core/liveness';
import { interrupted } from '../../../main/core/recovery';
import { record, registryWith } from './fakes';

const deadPid = () => spawnSync('true').pid!;

describe('registryInconsistency', () => {
  it('accepts a consistent registry', () => {
    expect(registryInconsistency(registryWith(record('a', 1), record('b', 2)))).toBeNull();
  });
  it('names two entries on one slot', () => {
    expect(registryInconsistency(registryWith(record('a', 3), record('b', 3)))).toBe('"a" and "b" both hold slot 3');
  });
  it('names an entry whose key is not its id', () => {
    const reg = registryWith(record('a', 1));
    reg.instances.a!.id = 'other';
    expect(registryInconsistency(reg)).toMatch(/the entry "a" has id "other"/);
  });
});

describe('interrupted intent records', () => {
  it('are those whose process is gone on this host; another host\'s are left alone', () => {
    const dead = deadPid();
    const recs = [
      record('a', 1, { state: 'creating', pid: dead }),
      record('b', 2, { state: 'destroying', pid: dead, host: hostname() }),
      record('c', 3, { state: 'creating', pid: dead, host: 'elsewhere' }),
      record('d', 4, { state: 'creating', pid: process.pid }),
      record('e', 5),
    ];
    const env = createHostEnv();
    expect(interrupted({ env }, recs).map((r) => r.id)).toEqual(['a', 'b']);
    expect(ownerAlive(env, dead, 'elsewhere')).toBe(true);
    expect(ownerAlive(env, dead, undefined)).toBe(false);
    expect(ownerAlive(env, process.pid, undefined)).toBe(true);
  });
});

describe('originOf', () => {
  const repo = '/dev/ktrdr';
  it('uses the recorded origin', () => {
    expect(originOf(record('x', 1, { origin: 'init', path: '/dev/ktrdr--x', repo }))).toBe('init');
    expect(originOf(record('x', 1, { origin: 'created', path: '/elsewhere/x', repo }))).toBe('created');
  });
  it('old entries: a clone is init; a worktree is created only where create puts one', () => {
    expect(originOf(record('c', 1, { kind: 'clone', path: '/dev/ktrdr--c', repo }))).toBe('init');
    expect(originOf(record('x', 1, { path: '/dev/ktrdr--x', repo }))).toBe('created');
    expect(originOf(record('x', 1, { path: '/dev/sub/ktrdr--x', repo }))).toBe('init');
    expect(originOf(record('x', 1, { path: '/dev/my-wt', repo }))).toBe('init');
  });
});

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
    await writeFile(file, JSON.stringify({ version: 1, owner: 'abc', future: { x: 1 }, instances: { a: { ...record('a', 1), note: 'mine' } }, blacklist: { '4': { reason: 'r', at: 't', extra: true } } }));
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
    await expect(store.read()).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT', message: expect.stringMatching(/both hold slot 2.*left untouched/) });
    await writeFile(store.file, JSON.stringify({ version: 1, instances: { a: record('b', 2) }, blacklist: {} }));
    await expect(store.update(() => undefined)).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT', message: expect.stringMatching(/"a" has id "b"/) });
  });

  it('loads entries written before origin/state existed, and ones with them', async () => {
    const store = createRegistryStore(home);
    await writeFile(store.file, JSON.stringify({ version: 1, instances: { a: record('a', 1), b: record('b', 2, { origin: 'init', state: 'creating', pid: 42 }) }, blacklist: {} }));
    const reg = await store.read();
    expect(reg.instances.a!.origin).toBeUndefined();
    expect(reg.instances.b).toMatchObject({ origin: 'init', state: 'creating', pid: 42 });
  });

  it('breaks the lock of a dead process at once', async () => {
    const store = createRegistryStore(home, { lockWaitMs: 60_000 });
    await mkdir(`${store.file}.lock`);
    await writeFile(join(`${store.file}.lock`, 'pid'), `${deadPid()}\n`);
    const t0 = Date.now();
    await store.update((reg) => {
      reg.instances.a = record('a', 1);
    });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('waits for a live holder, then reports who holds it', async () => {
    const store = createRegistryStore(home, { lockWaitMs: 300 });
    const release = await acquirePidLock(`${store.file}.lock`, { waitMs: 0 });
    await expect(store.update(() => undefined)).rejects.toMatchObject({ code: 'REGISTRY_LOCKED', message: expect.stringContaining(`process ${process.pid}`) });
    release();
    await store.update(() => undefined);
  });
});

describe('acquirePidLock', () => {
  it('a lock without a pid file is stale only once old', async () => {
    const dir = join(home, 'x.lock');
    await mkdir(dir);
    await expect(acquirePidLock(dir, { waitMs: 100, staleMs: 60_000 })).rejects.toBeInstanceOf(LockBusyError);
    const release = await acquirePidLock(dir, { waitMs: 100, staleMs: 0 });
    expect((await readFile(join(dir, 'pid'), 'utf8')).trim()).toBe(`${process.pid} ${hostname()}`);
    release();
  });

  it('a lock of a pid on another host is never taken for dead: only its age breaks it', async () => {
    const dir = join(home, 'y.lock');
    await mkdir(dir);
    await writeFile(join(dir, 'pid'), `${deadPid()} some-other-host\n`);
    await expect(acquirePidLock(dir, { waitMs: 100, staleMs: 60_000 })).rejects.toBeInstanceOf(LockBusyError);
    (await acquirePidLock(dir, { waitMs: 100, staleMs: 0 }))();
  });

  it('fails at once when the directory cannot be written (no waiting)', async () => {
    const t0 = Date.now();
    await expect(acquirePidLock(join(home, 'missing', 'x.lock'), { waitMs: 20_000 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
