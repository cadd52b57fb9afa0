// Other processes of this machine, as far as this user may see them: their command lines, their names, and
// ending one. Linux reads /proc; elsewhere (macOS) `ps` answers. Used where a process must be proven ours before
// anything is done to it: the port-conflict report (who holds a port), the ssh master a tunnel recorded, the
// compose an operation that died left running.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { processAlive } from './host-env';

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

const BATCH = 64;

/** Ask ps (macOS and the like); '' when it cannot answer. */
function ps(args: string[]): string {
  try {
    return execFileSync('ps', args, { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

let proc: boolean | undefined;
/** Whether this system has /proc (Linux): then it alone answers (a process gone meanwhile is simply not there). */
const hasProc = (): boolean => (proc ??= existsSync('/proc/self/cmdline'));

/** A process's arguments: exact from /proc (NUL separated), else ps's line split at spaces; null when not visible. */
export async function argvOf(pid: number): Promise<string[] | null> {
  if (!hasProc()) {
    const line = ps(['-o', 'args=', '-p', String(pid)]).trim();
    return line ? line.split(/\s+/) : null;
  }
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '');
    return argv.length ? argv : null; // a kernel thread, or a zombie
  } catch {
    return null; // gone, or not ours to see
  }
}

/** The name of a process (its executable's base name, as the system keeps it); '' when not visible. */
export function nameOf(pid: number): string {
  if (!hasProc())
    return ps(['-o', 'comm=', '-p', String(pid)])
      .trim()
      .replace(/^.*\//, '');
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every process this user can see, with its arguments (not this one). */
export async function processes(): Promise<ProcessInfo[]> {
  if (!hasProc())
    return ps(['-axo', 'pid=,args='])
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) !== process.pid)
      .map((m) => ({ pid: Number(m[1]), argv: m[2]!.trim().split(/\s+/) }));
  const others = (await readdir('/proc')).filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid).map(Number);
  const out: ProcessInfo[] = [];
  // in batches, to bound the open descriptors (a machine may run thousands of processes)
  for (let i = 0; i < others.length; i += BATCH) {
    const batch = await Promise.all(others.slice(i, i + BATCH).map(async (pid) => ({ pid, argv: await argvOf(pid) })));
    for (const p of batch) if (p.argv) out.push({ pid: p.pid, argv: p.argv });
  }
  return out;
}

/** Whether `pid` is gone within ms (looking every pollMs). */
async function goneWithin(pid: number, ms: number, pollMs: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += pollMs) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return !processAlive(pid);
}

/** SIGTERM, then SIGKILL if it still runs after graceMs: whether it is gone (false: not ours to signal, or stuck). */
export async function terminate(pid: number, graceMs: number, pollMs = 50): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !processAlive(pid); // gone already, or another user's (EPERM)
  }
  if (await goneWithin(pid, graceMs, pollMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return goneWithin(pid, 2000, pollMs);
}
