// Per-instance operation locks: one lock file per instance, <home>/locks/<id>.lock, taken once (never waited
// for here: core/use-cases/exclusive.ts decides whether to wait) with the lock every cross-process lock of ours
// is (pid-lock.ts: atomic, a dead holder's lock broken at once, released only by its owner).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { InstanceLocks, LockHolder } from '../core/deps';
import { tryLock, type LockHolder as FileLockHolder } from './pid-lock';

export const LOCKS_DIR = 'locks';

/** The holder as the core names it: pid 0 when it is not known here (another host's, an unreadable lock). */
function holderOf(h: FileLockHolder): LockHolder {
  return { pid: h.pid ?? 0, op: h.op ?? 'unknown', since: h.since ?? new Date().toISOString() };
}

export function createInstanceLocks(home: string): InstanceLocks {
  const dir = join(home, LOCKS_DIR);
  return {
    async tryAcquire(id, op) {
      await fsp.mkdir(dir, { recursive: true });
      const r = await tryLock(join(dir, `${id}.lock`), { op });
      if (!('release' in r)) return { holder: holderOf(r.holder) };
      return r.broken ? { release: r.release, abandoned: holderOf(r.broken) } : { release: r.release };
    },
  };
}
