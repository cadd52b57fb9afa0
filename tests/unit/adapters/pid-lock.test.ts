// The one cross-process lock (a file holding its owner: pid, host, operation, token) on real files: when a lock
// counts as stale, an older version's directory lock, waiting for a live holder, and failing at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LockBusyError, tryLock } from '../../../main/adapters/pid-lock';

const deadPid = () => spawnSync('true').pid!;
const owner = (pid: number, host: string) => `${JSON.stringify({ pid, host, op: 'up', since: '2026-01-01T00:00:00Z', token: 't' })}\n`;
const anHourAgo = () => new Date(Date.now() - 3_600_000);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sbx-pidlock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('the lock file', () => {
  it('records its owner; a second caller is told who holds it; the release frees it', async () => {
    const file = join(home, 'x.lock');
    const mine = await tryLock(file, { op: 'destroy' });
    expect('release' in mine).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), op: 'destroy' });
    expect(await tryLock(file, { op: 'up' })).toEqual({ holder: { pid: process.pid, op: 'destroy', since: expect.any(String) } });
    await (mine as { release(): Promise<void> }).release();
    expect(existsSync(file)).toBe(false);
    expect([...(await import('node:fs')).readdirSync(home)]).toEqual([]); // no temp file left behind
  });

  it("a dead owner's lock is broken at once; one of another host only once old (its pid says nothing here)", async () => {
    const file = join(home, 'y.lock');
    await writeFile(file, owner(deadPid(), hostname()));
    expect('release' in (await tryLock(file, { staleMs: 60_000 }))).toBe(true);
    await rm(file);
    await writeFile(file, owner(deadPid(), 'some-other-host'));
    expect(await tryLock(file, { staleMs: 60_000 })).toEqual({ holder: { pid: null, op: 'up', since: '2026-01-01T00:00:00Z' } });
    await utimes(file, anHourAgo(), anHourAgo());
    expect('release' in (await tryLock(file, { staleMs: 60_000 }))).toBe(true);
  });

  it('an older version\'s lock (a directory with "pid host"): honoured while its owner lives, broken when it is gone', async () => {
    const dir = join(home, 'instances.json.lock');
    await mkdir(dir);
    await writeFile(join(dir, 'pid'), `${process.pid} ${hostname()}\n`);
    expect(await tryLock(dir)).toEqual({ holder: { pid: process.pid } });
    await writeFile(join(dir, 'pid'), `${deadPid()} ${hostname()}\n`);
    const r = await tryLock(dir);
    expect('release' in r).toBe(true);
    expect(JSON.parse(await readFile(dir, 'utf8'))).toMatchObject({ pid: process.pid }); // a file now
  });

  it('a directory lock without its pid file (being made, or left half made) counts as stale only once old', async () => {
    const dir = join(home, 'z.lock');
    await mkdir(dir);
    await expect(acquireLock(dir, { waitMs: 100, staleMs: 60_000 })).rejects.toBeInstanceOf(LockBusyError);
    await utimes(dir, anHourAgo(), anHourAgo());
    await (
      await acquireLock(dir, { waitMs: 100, staleMs: 60_000 })
    )();
  });

  it("an unreadable lock file is nobody's (a lock file is whole from the moment it exists)", async () => {
    const file = join(home, 'u.lock');
    await writeFile(file, '{half');
    expect('release' in (await tryLock(file))).toBe(true);
  });

  it('release removes only its own lock (it may have been judged stale and taken meanwhile)', async () => {
    const file = join(home, 'r.lock');
    const r = (await tryLock(file)) as { release(): Promise<void> };
    const other = owner(process.pid, hostname()).replace('"t"', '"other"');
    await writeFile(file, other);
    await r.release();
    expect(await readFile(file, 'utf8')).toBe(other);
  });

  it('acquireLock waits for a live holder, says so once, and gives up with the holder named', async () => {
    const file = join(home, 'w.lock');
    const held = (await tryLock(file, { op: 'registry' })) as { release(): Promise<void> };
    const waits: unknown[] = [];
    const t0 = Date.now();
    const err = await acquireLock(file, { waitMs: 150, onWait: (h) => waits.push(h) }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as Error).message).toBe(`held by process ${process.pid}`);
    expect(waits).toEqual([{ pid: process.pid, op: 'registry', since: expect.any(String) }]);
    setTimeout(() => void held.release(), 50);
    await (
      await acquireLock(file, { waitMs: 2_000 })
    )();
  });

  it('fails at once when the directory cannot be written (no waiting)', async () => {
    const t0 = Date.now();
    await expect(acquireLock(join(home, 'missing', 'x.lock'), { waitMs: 20_000 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
