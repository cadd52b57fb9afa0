// Helpers of the crash tests: run the real CLI, SIGKILL it after a random delay, and check that what is on
// disk, in git, in the registry and in Docker agrees (no orphan of any kind).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI, git, projectResources, type World } from './world';

export interface Killed {
  /** ms after spawn the kill was sent */
  after: number;
  /** the command had finished before the kill */
  finished: boolean;
  code: number | null;
}

/**
 * Start the CLI, SIGKILL it after `delayMs`: the whole process group (the command and the git/compose it runs,
 * as a crash of the machine or the terminal would) or only the CLI process (its children run on, orphaned).
 */
export async function runAndKill(w: World, args: string[], delayMs: number, group: boolean): Promise<Killed> {
  const child = spawn(CLI, args, { cwd: w.repo, env: { ...process.env, ...w.env }, detached: true, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let finished = false;
  const t = await Promise.race([new Promise<'timer'>((r) => setTimeout(() => r('timer'), delayMs)), exited.then(() => 'exit' as const)]);
  if (t === 'exit') finished = true;
  else {
    try {
      if (group) process.kill(-child.pid!, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      finished = true;
    }
  }
  const code = await exited;
  if (!group) await waitForOrphans(w);
  return { after: delayMs, finished, code };
}

/** Children left running by a single-process kill (git) finish within moments; wait until none runs in the world. */
async function waitForOrphans(w: World): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const busy = readdirSync('/proc').some((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes(w.root) || (cmd.startsWith('git') && readlinkSafe(`/proc/${p}/cwd`).startsWith(w.root));
      } catch {
        return false;
      }
    });
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readlinkSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

export function registry(w: World): any {
  return existsSync(w.registryFile) ? JSON.parse(readFileSync(w.registryFile, 'utf8')) : { instances: {} };
}

/**
 * After the repairing command: every entry is settled and has its worktree; every worktree and every
 * directory beside the repository is registered; nothing is left of unregistered ids in Docker.
 */
export async function assertNoOrphans(w: World, ids: string[], context: string): Promise<void> {
  const reg = registry(w);
  const entries = Object.values(reg.instances) as any[];
  for (const e of entries) {
    expect(e.state, `${context}: ${e.id} left ${e.state}`).toBeUndefined();
    expect(existsSync(e.path), `${context}: ${e.id} registered but ${e.path} is gone`).toBe(true);
  }
  const registered = new Set(entries.map((e) => e.path));
  const src = join(w.root, 'src');
  for (const d of readdirSync(src)) {
    const p = join(src, d);
    expect(p === w.repo || registered.has(p), `${context}: orphan directory ${p}`).toBe(true);
  }
  const wts = (await git(w.repo, 'worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice(9));
  for (const p of wts) expect(p === w.repo || registered.has(p), `${context}: orphan git worktree ${p}`).toBe(true);
  for (const id of ids) {
    if (reg.instances[id]) continue;
    expect(await projectResources(id), `${context}: Docker objects of unregistered ${id}`).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    });
  }
}

/** A reproducible random source (the seed is printed, so a failure can be replayed). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
