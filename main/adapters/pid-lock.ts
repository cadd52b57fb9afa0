// A cross-process lock: a directory made with mkdir (atomic), holding the owner's pid. A lock whose owner is
// gone (kill -9, a crash) is broken at once — not after an mtime timeout. A lock without a pid file (being
// made this instant, or left by an older version) counts as stale after `staleMs`. Errors that waiting cannot
// cure (permissions, a read-only or immutable directory) fail at once.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, thisHost } from './host-env';

export interface LockHolder {
  /** null: unknown, or on another host (then only the lock's age tells it is stale) */
  pid: number | null;
}

export class LockBusyError extends Error {
  constructor(readonly holder: LockHolder) {
    super(`held by ${holder.pid ? `process ${holder.pid}` : 'another process'}`);
  }
}

export interface PidLockOptions {
  /** How long to wait for a live holder. */
  waitMs: number;
  /** A lock without a pid file older than this is broken. */
  staleMs?: number;
  /** Called once when we start waiting for a live holder. */
  onWait?: (holder: LockHolder) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const PID_FILE = 'pid';

function readHolder(dir: string): LockHolder | undefined {
  try {
    const [p, host] = readFileSync(join(dir, PID_FILE), 'utf8').trim().split(/\s+/);
    const pid = Number(p);
    if (host !== undefined && host !== thisHost()) return { pid: null };
    return { pid: Number.isInteger(pid) && pid > 0 ? pid : null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return existsDir(dir) ? { pid: null } : undefined;
    throw err;
  }
}

function existsDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function ageMs(dir: string, now: number): number {
  try {
    return now - statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

/** Move a dead holder's lock aside and delete it; false when someone else got there first (or it changed hands). */
function breakLock(dir: string, expected: LockHolder): boolean {
  const aside = `${dir}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(dir, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  if (moved && moved.pid !== expected.pid && moved.pid !== null && processAlive(moved.pid)) {
    // it changed hands between our look and the rename: give it back
    try {
      renameSync(aside, dir);
      return false;
    } catch {
      /* the new owner re-locked meanwhile: its lock stands, this one was already superseded */
    }
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

export async function acquirePidLock(dir: string, opts: PidLockOptions): Promise<() => void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = now() + opts.waitMs;
  let waited = false;
  let delay = 10;
  for (;;) {
    try {
      mkdirSync(dir);
      try {
        writeFileSync(join(dir, PID_FILE), `${process.pid} ${thisHost()}\n`);
      } catch (err) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(dir);
    if (!holder) continue; // released between our mkdir and our look
    const dead = holder.pid !== null ? !processAlive(holder.pid) : ageMs(dir, now()) > staleMs;
    if (dead) {
      breakLock(dir, holder);
      continue;
    }
    if (now() >= deadline) throw new LockBusyError(holder);
    if (!waited) {
      waited = true;
      opts.onWait?.(holder);
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}
