// Per-instance operation locks: one file per instance, <home>/locks/<id>.lock, holding {pid, op, since}.
// Taken with link(2) of a fully written temp file, so a lock file is never seen half-written and exactly one
// caller wins. A lock whose pid is no longer alive (kill -9, a crash, a power cut) is broken at once.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { InstanceLocks, LockHolder } from '../core/deps';

export const LOCKS_DIR = 'locks';

/** Alive, or not ours to judge (EPERM: another user's process). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.op === 'string' && typeof v.since === 'string')
      return { pid: v.pid, op: v.op, since: v.since };
  } catch {
    // unreadable: treated as stale below
  }
  return null;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function createInstanceLocks(home: string, isAlive: (pid: number) => boolean = pidAlive): InstanceLocks {
  const dir = join(home, LOCKS_DIR);

  /** Move a stale lock aside and remove it, unless what was moved turns out to be a fresh, live lock. */
  async function breakStale(file: string, staleText: string): Promise<void> {
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await fsp.rename(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
      throw err;
    }
    const moved = await readText(aside);
    if (moved !== null && moved !== staleText) {
      // Another caller broke the stale lock and took a fresh one in between: put theirs back.
      await fsp.link(aside, file).catch(() => undefined);
    }
    await fsp.rm(aside, { force: true });
  }

  return {
    async tryAcquire(id, op) {
      await fsp.mkdir(dir, { recursive: true });
      const file = join(dir, `${id}.lock`);
      const mine: LockHolder = { pid: process.pid, op, since: new Date().toISOString() };
      const text = `${JSON.stringify({ ...mine, token: randomBytes(8).toString('hex') })}\n`;
      const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      await fsp.writeFile(tmp, text, { mode: 0o644 });
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          try {
            await fsp.link(tmp, file);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
            const current = await readText(file);
            if (current === null) continue; // released meanwhile: try again
            const holder = parseHolder(current);
            if (holder && isAlive(holder.pid)) return { holder };
            await breakStale(file, current);
            continue;
          }
          let released = false;
          return {
            async release() {
              if (released) return;
              released = true;
              // Only our own lock: compare the content (its token) before removing it.
              if ((await readText(file).catch(() => null)) === text) await fsp.rm(file, { force: true });
            },
          };
        }
        // Five rounds of losing races to other breakers: report the current holder (or a generic one).
        const holder = parseHolder((await readText(file)) ?? '');
        return { holder: holder ?? { pid: 0, op: 'unknown', since: new Date().toISOString() } };
      } finally {
        await fsp.rm(tmp, { force: true });
      }
    },
  };
}
