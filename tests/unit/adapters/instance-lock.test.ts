// The per-instance lock files: one winner, the holder named, a dead holder's lock broken at once, and a
// release that never removes someone else's lock.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInstanceLocks } from '../../../main/adapters/instance-lock';
import { processAlive } from '../../../main/adapters/host-env';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'kts-lock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('instance locks', () => {
  it('one of many concurrent callers wins; the others are told who holds it', async () => {
    const locks = createInstanceLocks(home);
    const rs = await Promise.all(Array.from({ length: 8 }, () => locks.tryAcquire('ktrdr--x', 'up')));
    const won = rs.filter((r) => 'release' in r);
    expect(won).toHaveLength(1);
    const told = rs.filter((r) => 'holder' in r).map((r) => r.holder);
    expect(told).toHaveLength(7);
    for (const holder of told) expect(holder).toMatchObject({ pid: process.pid, op: 'up' });
    await (won[0] as { release(): Promise<void> }).release();
    expect('release' in (await locks.tryAcquire('ktrdr--x', 'down'))).toBe(true);
  });

  it('breaks a lock whose process is gone, or whose file is unreadable, at once', async () => {
    await mkdir(join(home, 'locks'), { recursive: true });
    const file = join(home, 'locks', 'a.lock');
    await writeFile(file, JSON.stringify({ pid: 999_999_999, op: 'up', since: 'x' }));
    const locks = createInstanceLocks(home);
    const r = await locks.tryAcquire('a', 'destroy');
    expect('release' in r).toBe(true);
    // the dead holder is named: its compose may still run (core/use-cases/exclusive.ts ends it)
    expect(r).toMatchObject({ abandoned: { pid: 999_999_999, op: 'up', since: 'x' } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, op: 'destroy' });
    await (r as { release(): Promise<void> }).release();
    await writeFile(file, '{half');
    const unreadable = await locks.tryAcquire('a', 'up');
    expect('release' in unreadable && !('abandoned' in unreadable)).toBe(true); // nobody's: no process to look after
    await (unreadable as { release(): Promise<void> }).release();
    expect('abandoned' in (await locks.tryAcquire('a', 'up'))).toBe(false); // a free lock: nothing abandoned
  });

  it('release removes only its own lock', async () => {
    const locks = createInstanceLocks(home);
    const r = (await locks.tryAcquire('a', 'up')) as { release(): Promise<void> };
    const file = join(home, 'locks', 'a.lock');
    const other = JSON.stringify({ pid: process.pid, op: 'gate', since: 'y', token: 'other' });
    await writeFile(file, other); // someone else's lock now (ours was broken and re-taken)
    await r.release();
    expect(await readFile(file, 'utf8')).toBe(other);
  });

  it('processAlive (the one liveness test of every lock): this process yes, nonsense no', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(999_999_999)).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
  });
});
