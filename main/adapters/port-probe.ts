// Is a host port free, and who holds it?
import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import { execa } from 'execa';
import type { PortOwner, PortProbe } from '../core/deps';
import { argvOf, nameOf } from './processes';

const MAX_COMMAND = 200;

function tryBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Does anything accept connections on host:port? Catches listeners on the wildcard address that a bind
 * to a specific address does not collide with on macOS/BSD (SO_REUSEADDR semantics).
 */
function accepts(port: number, host: string, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

/** Inodes of LISTEN sockets on `port` in a /proc/net/tcp{,6} table. */
export function listenInodes(table: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const local = cols[1] ?? '';
    const state = cols[3];
    const inode = cols[9] ?? '0';
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (state === '0A' && parseInt(hexPort, 16) === port && inode !== '0') inodes.push(inode);
  }
  return inodes;
}

/** Process command line from /proc/<pid>/cmdline (NUL separated) for display. */
export function formatCmdline(raw: string): string {
  const cmd = raw
    .split('\0')
    .filter((s) => s !== '')
    .join(' ')
    .trim();
  return cmd.length > MAX_COMMAND ? `${cmd.slice(0, MAX_COMMAND - 1)}…` : cmd;
}

async function pidHoldingSocket(pid: string, targets: Set<string>): Promise<boolean> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to see
  }
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.some((l) => l.startsWith('socket:[') && targets.has(l.slice(8, -1)));
}

/** A process's command line for display ('' when not visible). */
async function commandOf(pid: number): Promise<string> {
  const argv = await argvOf(pid);
  return argv ? formatCmdline(argv.join('\0')) : nameOf(pid);
}

async function linuxOwner(port: number): Promise<PortOwner | null> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  const targets = new Set(tables.flatMap((t) => listenInodes(t, port)));
  if (targets.size === 0) return null;
  const self = String(process.pid);
  // ourselves first (cheap), then everyone we can see, in batches to bound open descriptors
  if (await pidHoldingSocket(self, targets)) return { pid: process.pid, command: await commandOf(process.pid) };
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d) && d !== self);
  const BATCH = 64;
  for (let i = 0; i < pids.length; i += BATCH) {
    const batch = pids.slice(i, i + BATCH);
    const hits = await Promise.all(batch.map((p) => pidHoldingSocket(p, targets)));
    const idx = hits.indexOf(true);
    if (idx >= 0) {
      const pid = batch[idx]!;
      return { pid: Number(pid), command: await commandOf(Number(pid)) };
    }
  }
  return null;
}

async function macOwner(port: number): Promise<PortOwner | null> {
  const r = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { reject: false, timeout: 3000, stdin: 'ignore' });
  if (typeof r.stdout !== 'string') return null;
  let pid: number | null = null;
  let comm = '';
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('p') && pid === null) pid = Number(line.slice(1));
    else if (line.startsWith('c') && pid !== null && comm === '') comm = line.slice(1);
  }
  if (pid === null || !Number.isFinite(pid)) return null;
  const ps = await execa('ps', ['-o', 'command=', '-p', String(pid)], { reject: false, timeout: 3000, stdin: 'ignore' });
  const full = typeof ps.stdout === 'string' ? ps.stdout.trim() : '';
  const command = full || comm;
  return { pid, command: command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND - 1)}…` : command };
}

export function createPortProbe(platform: NodeJS.Platform = process.platform): PortProbe {
  return {
    async isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
      if (!(await tryBind(port, host))) return false;
      return !(await accepts(port, loopbackFor(host)));
    },

    async owner(port: number): Promise<PortOwner | null> {
      try {
        if (platform === 'linux') return await linuxOwner(port);
        if (platform === 'darwin') return await macOwner(port);
      } catch {
        return null;
      }
      return null;
    },
  };
}
