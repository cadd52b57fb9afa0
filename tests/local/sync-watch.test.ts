// The sync port's real side (adapters/sync-watch.ts), without Docker: node's recursive fs.watch reports changes
// deep in the tree and in directories made after the watch began; the watcher's state file round-trips with its
// pid's liveness; stop() ends the recorded process and removes its state.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSyncPort, syncStateFile } from '../../main/adapters/sync-watch';
import { processAlive } from '../../main/adapters/host-env';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-ws-local-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const until = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the sync port on this machine', () => {
  it('watch: a change deep in the tree and one in a directory made after the watch began, with their relative paths', async () => {
    const tree = join(root, 'tree');
    await mkdir(join(tree, 'a', 'b'), { recursive: true });
    const port = createSyncPort(process.env, join(root, 'home'));
    const seen: string[] = [];
    const stop = port.watch(
      [tree],
      (dir, rel) => seen.push(`${dir === tree ? 'tree' : dir}:${rel}`),
      (e) => seen.push(`error ${e.message}`),
    );
    try {
      await writeFile(join(tree, 'a', 'b', 'deep.txt'), 'x');
      await until(() => seen.some((s) => s === 'tree:a/b/deep.txt'));
      await mkdir(join(tree, 'new'));
      await new Promise((r) => setTimeout(r, 200)); // the new directory is picked up
      await writeFile(join(tree, 'new', 'late.txt'), 'x');
      await until(() => seen.some((s) => s === 'tree:new/late.txt'));
    } finally {
      stop();
    }
    expect(seen.filter((s) => s.startsWith('error'))).toEqual([]);
  });

  it('state: written atomically, read back with alive from the pid; stop() ends the recorded process and removes the state', async () => {
    const home = join(root, 'home');
    const port = createSyncPort(process.env, home);
    expect(port.read('kts-ws-a')).toBeNull();
    port.write({ id: 'kts-ws-a', pid: process.pid, state: 'watching', startedAt: new Date().toISOString(), syncs: 0 });
    expect(port.read('kts-ws-a')).toMatchObject({ pid: process.pid, alive: true, state: 'watching' });
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    port.write({ id: 'kts-ws-a', pid: child.pid!, state: 'watching', startedAt: new Date().toISOString(), syncs: 0 });
    expect(await port.stop('kts-ws-a')).toBe(true);
    await exited;
    expect(processAlive(child.pid)).toBe(false);
    expect(existsSync(syncStateFile(home, 'kts-ws-a'))).toBe(false);
    expect(await port.stop('kts-ws-a')).toBe(false); // nothing left to stop
  });

  it('a recorded pid that no longer runs reads as not alive (start would start a new watcher)', async () => {
    const home = join(root, 'home');
    const port = createSyncPort(process.env, home);
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    port.write({ id: 'kts-ws-b', pid: child.pid!, state: 'watching', startedAt: new Date().toISOString(), syncs: 3 });
    expect(port.read('kts-ws-b')).toMatchObject({ alive: false, syncs: 3 });
  });
});
