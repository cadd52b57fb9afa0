// A compose left running by an operation that died (kill -9 of the CLI, a crashed tray app) is ended by the next
// operation on that instance before it acts — only when the lock says its holder died, and only a compose that
// changes that project: one a user watches (logs) or another project's are left alone. Real processes: stand-in
// `docker-compose` scripts run with our exact command lines; a real lock file left by a process that is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGlobalArgs } from '../../main/adapters/compose';
import { makeWorld, type World } from './world';

let w: World;
let id: string;
let path: string;
let fake: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  w = await makeWorld('leftover');
  const c = await w.cli(['create', 'lo', '--json']);
  expect(c.code, c.stderr).toBe(0);
  ({ id, path } = c.json.instance);
  const bin = join(w.root, 'fake-bin');
  await mkdir(bin, { recursive: true });
  fake = join(bin, 'docker-compose');
  // stops at SIGTERM like compose does (not at once: at its next look, as a busy compose would)
  await writeFile(fake, "#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n");
  await chmod(fake, 0o755);
});
afterAll(async () => {
  for (const p of started) p.kill('SIGKILL');
  await w?.cleanup();
});

/** A stand-in compose for `project` running `args`, with the command line our adapter gives compose. */
async function composeRunning(project: string, args: string[]): Promise<ChildProcess> {
  const global = composeGlobalArgs({ project, projectDir: path, files: ['docker-compose.sandbox.yml'], envFile: '.env.sandbox' });
  const p = spawn(fake, [...global, ...args], { stdio: 'ignore' });
  started.push(p);
  await new Promise((r) => setTimeout(r, 100)); // its shell has started
  return p;
}

const exited = (p: ChildProcess): boolean => p.exitCode !== null || p.signalCode !== null;

/** The lock an operation that died left behind: its pid is a process that has ended. */
async function deadLock(op: string): Promise<number> {
  const gone = spawn('true');
  await new Promise((r) => gone.on('exit', r));
  const dir = join(w.home, '.ktrdr', 'sandbox', 'locks');
  await mkdir(dir, { recursive: true });
  const holder = { pid: gone.pid, host: hostname(), op, since: new Date().toISOString(), token: 'dead' };
  await writeFile(join(dir, `${id}.lock`), `${JSON.stringify(holder)}\n`);
  return gone.pid!;
}

describe('a compose left running by an operation that died', () => {
  it('is ended by the next operation, which says so; a watching compose and another project are left alone', async () => {
    const changing = await composeRunning(id, ['up', '-d', '--remove-orphans']);
    const watching = await composeRunning(id, ['logs', '-f']);
    const other = await composeRunning('ktrdr--other', ['up', '-d']);
    const dead = await deadLock('up');
    const down = await w.cli(['down', id]);
    expect(down.code, down.stderr + down.stdout).toBe(0);
    expect(down.stdout).toContain(
      `Stopped compose (pid ${changing.pid}) left running by \`up\` (pid ${dead}), which ended without finishing`,
    );
    expect(exited(changing)).toBe(true);
    expect(exited(watching)).toBe(false);
    expect(exited(other)).toBe(false);
  });

  it('is not looked for when the lock was free: a compose of this project running meanwhile is not ours to end', async () => {
    const running = await composeRunning(id, ['up', '-d']);
    const down = await w.cli(['down', id, '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).not.toContain('leftovers');
    expect(exited(running)).toBe(false);
  });
});
