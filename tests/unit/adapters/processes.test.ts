// Other processes of this machine: their command lines and names as the system keeps them, and ending one —
// politely first, by force when it does not listen. Real child processes of this test.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { argvOf, nameOf, processes, terminate } from '../../../main/adapters/processes';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A shell running `script` with these arguments after it, started and settled. */
async function shell(script: string, ...args: string[]): Promise<ChildProcess> {
  const c = spawn('sh', ['-c', script, 'sh', ...args], { stdio: 'ignore' });
  children.push(c);
  await new Promise((r) => setTimeout(r, 100));
  return c;
}

describe('processes', () => {
  it('a process is seen with its exact arguments (spaces kept) and its name', async () => {
    const c = await shell('while :; do sleep 0.1; done', '-p', 'a b');
    expect(await argvOf(c.pid!)).toEqual(['sh', '-c', 'while :; do sleep 0.1; done', 'sh', '-p', 'a b']);
    expect(nameOf(c.pid!)).toBe('sh');
    expect((await processes()).find((p) => p.pid === c.pid)?.argv).toContain('a b');
    expect((await processes()).some((p) => p.pid === process.pid)).toBe(false); // never this one
    expect(await argvOf(999_999_999)).toBeNull();
    expect(nameOf(999_999_999)).toBe('');
  });

  it('terminate: one that stops at SIGTERM is gone at once; one that ignores it is killed after the grace', async () => {
    const polite = await shell("trap 'exit 0' TERM; while :; do sleep 0.05; done");
    const t0 = Date.now();
    expect(await terminate(polite.pid!, 5000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    const stubborn = await shell("trap '' TERM; while :; do sleep 0.05; done");
    const t1 = Date.now();
    expect(await terminate(stubborn.pid!, 300)).toBe(true);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(300);
    expect(stubborn.signalCode ?? (await new Promise((r) => stubborn.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    expect(await terminate(999_999_999, 100)).toBe(true); // gone already
  });
});
