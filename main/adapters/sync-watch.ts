// The background source sync of remote instances (issue 13), the I/O side of core/remotes.ts SyncPort: node's
// own recursive fs.watch (no dependency; one inotify watch per directory on Linux), the watcher's state in
// <sandbox home>/sync/<id>.json (written atomically; `alive` read from its pid), and the watcher process: a
// detached `ktrdr-sandbox sync ID --watch --background` (its own session, so closing the terminal does not end
// it; output appended to <sandbox home>/sync/<id>.log), stopped with SIGTERM.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncPort } from '../core/remotes';
import type { SyncState } from '../shared/sync';
import { processAlive } from './host-env';
import { packageRoot } from './package-root';

export const syncDir = (home: string) => join(home, 'sync');
export const syncStateFile = (home: string, id: string) => join(syncDir(home), `${id}.json`);
const LOG_LIMIT = 1024 * 1024;

/** The watcher state of `id` with `alive` read from its pid; null when none was recorded (or it is unreadable). */
export function readSyncState(home: string, id: string): SyncState | null {
  let s: SyncState;
  try {
    s = JSON.parse(readFileSync(syncStateFile(home, id), 'utf8')) as SyncState;
  } catch {
    return null;
  }
  if (typeof s?.pid !== 'number' || typeof s.state !== 'string') return null;
  return { ...s, alive: s.state !== 'stopped' && processAlive(s.pid) };
}

function writeState(home: string, s: SyncState): void {
  mkdirSync(syncDir(home), { recursive: true, mode: 0o700 });
  const { alive: _alive, ...stored } = s;
  const file = syncStateFile(home, s.id);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stored)}\n`);
  renameSync(tmp, file);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The command line of this CLI (node + bin/ktrdr-sandbox.js), whichever process (CLI, dashboard, Electron) asks. */
export function cliCommand(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: process.execPath,
    args: [join(packageRoot(), 'bin', 'ktrdr-sandbox.js')],
    env: { ELECTRON_RUN_AS_NODE: '1' }, // under Electron, execPath runs as plain node
  };
}

export function createSyncPort(env: NodeJS.ProcessEnv, home: string): SyncPort {
  const port: SyncPort = {
    watch(dirs, onChange, onError) {
      const watchers = dirs.map((dir) => {
        const w = watch(dir, { recursive: true }, (_event, file) => onChange(dir, file === null ? null : String(file)));
        w.on('error', (err) => onError(err));
        return w;
      });
      return () => {
        for (const w of watchers) w.close();
      };
    },
    read: (id) => readSyncState(home, id),
    write: (s) => writeState(home, s),
    remove: (id) => rmSync(syncStateFile(home, id), { force: true }),
    async start(id) {
      const cur = readSyncState(home, id);
      if (cur?.alive) return { pid: cur.pid, started: false };
      mkdirSync(syncDir(home), { recursive: true, mode: 0o700 });
      const log = join(syncDir(home), `${id}.log`);
      try {
        if (statSync(log).size > LOG_LIMIT) rmSync(log, { force: true });
      } catch {
        // no log yet
      }
      const { spawn } = await import('node:child_process'); // only here: status and the dashboard read the state
      const fd = openSync(log, 'a');
      const cli = cliCommand();
      try {
        const child = spawn(cli.command, [...cli.args, 'sync', id, '--watch', '--background'], {
          env: { ...env, ...cli.env },
          detached: true, // its own session: a closed terminal (SIGHUP) does not reach it
          stdio: ['ignore', fd, fd],
        });
        child.unref();
        if (!child.pid) throw new Error('the sync watcher did not start');
        writeState(home, { id, pid: child.pid, state: 'watching', startedAt: new Date().toISOString(), syncs: 0 });
        return { pid: child.pid, started: true };
      } finally {
        closeSync(fd);
      }
    },
    async stop(id) {
      const cur = readSyncState(home, id);
      rmSync(syncStateFile(home, id), { force: true }); // first: a watcher that sees its file gone ends too
      if (!cur?.alive) return false;
      try {
        process.kill(cur.pid, 'SIGTERM');
      } catch {
        return false;
      }
      for (let i = 0; i < 40 && processAlive(cur.pid); i++) await sleep(50);
      if (processAlive(cur.pid)) {
        try {
          process.kill(cur.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      return true;
    },
  };
  return port;
}

/** Whether the file of an instance's watcher exists (tests). */
export const hasSyncState = (home: string, id: string) => existsSync(syncStateFile(home, id));
