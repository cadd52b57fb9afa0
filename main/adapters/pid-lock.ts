// The cross-process lock of the registry (registry-store.ts: waited for) and of each instance's operations
// (instance-lock.ts: tried once, the holder named): one file holding its owner as JSON — pid, host, operation,
// since, and a token. Taken with link(2) of a fully written temp file, so a lock is never seen half-written and
// exactly one caller wins. A lock whose owner is gone (kill -9, a crash, a power cut) is broken at once; one
// taken on another host (a home shared between machines), whose pid says nothing here, only once older than
// staleMs. Release removes the lock only while it is still the caller's (its token). A directory in the lock's
// place is an older version's registry lock (a directory holding "pid host"): honoured the same way.
// Errors that waiting cannot cure (permissions, a read-only or missing directory) fail at once.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { processAlive, thisHost } from './host-env';

export interface LockHolder {
  /** null: unknown here (taken on another host, or not readable) */
  pid: number | null;
  op?: string;
  since?: string;
}

export class LockBusyError extends Error {
  constructor(readonly holder: LockHolder) {
    super(`held by ${holder.pid ? `process ${holder.pid}` : 'another process'}`);
  }
}

/** Taken (broken: the dead holder whose lock was broken on the way, when its pid is known here), or busy. */
export type TryLock = { release: () => Promise<void>; broken?: LockHolder } | { holder: LockHolder };

export interface LockOptions {
  /** What the holder does (instance locks name it: "up", "destroy", …). */
  op?: string;
  /** A lock of another host (or an older version's lock without its pid) older than this is broken. */
  staleMs?: number;
  now?: () => number;
}

export interface WaitOptions extends LockOptions {
  /** How long to wait for a live holder. */
  waitMs: number;
  /** Called once when we start waiting for a live holder. */
  onWait?: (holder: LockHolder) => void;
  sleep?: (ms: number) => Promise<void>;
}

const STALE_MS = 10_000;

/** n random bytes as hex; node:crypto loaded on the first lock taken (every command loads this module: `env`, `list`
 *  and `status`, which take none, must not load crypto). */
function randomHex(n: number): string {
  return process.getBuiltinModule('node:crypto').randomBytes(n).toString('hex');
}

/** What stands in the lock's place: its holder, whether it is provably dead, and its text (null: gone). */
interface Found {
  holder: LockHolder;
  dead: boolean;
  /** the file's text (compared before breaking it), or null for an older version's directory */
  text: string | null;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

async function ageMs(path: string, now: number): Promise<number> {
  return fsp.stat(path).then(
    (s) => now - s.mtimeMs,
    () => 0,
  );
}

/** Recorded on this machine (an older lock names no host: it was). */
const onThisHost = (host: string | undefined): boolean => host === undefined || host === thisHost();

/** A holder recorded on this host is dead when its pid is; one of another host (or unknown) once old. */
async function judge(path: string, pid: number | null, host: string | undefined, opts: LockOptions): Promise<boolean> {
  if (pid !== null && onThisHost(host)) return !processAlive(pid);
  return (await ageMs(path, (opts.now ?? Date.now)())) > (opts.staleMs ?? STALE_MS);
}

async function look(file: string, opts: LockOptions): Promise<Found | null> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return null; // released meanwhile
    if (code(err) !== 'EISDIR') throw err;
    // an older version's lock: a directory holding "pid host" (none yet while it is being made)
    const line = await fsp.readFile(join(file, 'pid'), 'utf8').catch(() => '');
    const [p, host] = line.trim().split(/\s+/);
    const pid = Number(p) > 0 && Number.isInteger(Number(p)) && onThisHost(host) ? Number(p) : null;
    return { holder: { pid }, dead: await judge(file, pid, host, opts), text: null };
  }
  try {
    const v = JSON.parse(text) as { pid?: unknown; host?: unknown; op?: unknown; since?: unknown };
    if (typeof v.pid === 'number') {
      const host = typeof v.host === 'string' ? v.host : undefined;
      const holder: LockHolder = { pid: onThisHost(host) ? v.pid : null };
      if (typeof v.op === 'string') holder.op = v.op;
      if (typeof v.since === 'string') holder.since = v.since;
      return { holder, dead: await judge(file, v.pid, host, opts), text };
    }
  } catch {
    // not JSON: below
  }
  // a lock file is whole from the moment it exists (link of a written file): an unreadable one is nobody's
  return { holder: { pid: null }, dead: true, text };
}

/** Move a dead holder's lock aside and remove it, unless what was moved turns out to be a fresh one. */
async function breakStale(file: string, found: Found): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomHex(4)}`;
  try {
    await fsp.rename(file, aside);
  } catch (err) {
    if (code(err) === 'ENOENT') return; // someone else broke it
    throw err;
  }
  if (found.text !== null) {
    const moved = await fsp.readFile(aside, 'utf8').catch(() => null);
    // another caller broke the stale lock and took a fresh one in between: put theirs back
    if (moved !== null && moved !== found.text) await fsp.link(aside, file).catch(() => undefined);
  }
  await fsp.rm(aside, { recursive: true, force: true });
}

/** Take the lock at `file` once: its release, or the live holder. */
export async function tryLock(file: string, opts: LockOptions = {}): Promise<TryLock> {
  const owner = { pid: process.pid, host: thisHost(), op: opts.op ?? 'lock', since: new Date().toISOString() };
  const text = `${JSON.stringify({ ...owner, token: randomHex(8) })}\n`;
  const tmp = `${file}.${process.pid}-${randomHex(4)}.tmp`;
  await fsp.writeFile(tmp, text, { mode: 0o644 });
  let broken: LockHolder | undefined;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fsp.link(tmp, file);
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
        const found = await look(file, opts);
        if (!found) continue; // released meanwhile: try again
        if (!found.dead) return { holder: found.holder };
        await breakStale(file, found);
        if (found.holder.pid !== null) broken = found.holder;
        continue;
      }
      let released = false;
      return {
        ...(broken ? { broken } : {}),
        async release() {
          if (released) return;
          released = true;
          // only our own lock: it may have been judged stale and taken by another meanwhile
          if ((await fsp.readFile(file, 'utf8').catch(() => null)) === text) await fsp.rm(file, { force: true });
        },
      };
    }
    // five rounds of losing races to other breakers: whoever holds it now
    return { holder: (await look(file, opts))?.holder ?? { pid: null } };
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/** Take the lock at `file`, waiting up to waitMs for a live holder (LockBusyError after that). */
export async function acquireLock(file: string, opts: WaitOptions): Promise<() => Promise<void>> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + opts.waitMs;
  let waited = false;
  let delay = 10;
  for (;;) {
    const r = await tryLock(file, opts);
    if ('release' in r) return r.release;
    if (now() >= deadline) throw new LockBusyError(r.holder);
    if (!waited) {
      waited = true;
      opts.onWait?.(r.holder);
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}
