// The pid lock (a directory with the holder's pid and host) on real files: when a lock counts as stale.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidLock, LockBusyError } from '../../../main/adapters/pid-lock';

const deadPid = () => spawnSync('true').pid!;

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sbx-pidlock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
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
