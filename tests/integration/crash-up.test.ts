// kill -9 of `up` at 30+ random points (issue 9, item 4 and its test list): whatever moment `up` dies at — while
// it probes ports, writes the override, while compose creates containers, during the gate — the next command
// is not blocked (the dead process's operation lock is broken at once), and the next `up` converges to exactly
// one stack: one network, one container per service, the gate passing. Nothing of the instance is orphaned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeWorld, projectResources, type World } from './world';
import { rng, runAndKill } from './crash-harness';

let w: World;
let id: string;
let path: string;

beforeAll(async () => {
  w = await makeWorld('crashup');
  const c = await w.cli(['create', 'cu', '--json']);
  expect(c.code, c.stderr + c.stdout).toBe(0);
  id = c.json.instance.id;
  path = c.json.instance.path;
});
afterAll(async () => {
  await w?.cleanup();
});

/** One stack: one project network, one container per service (compose never made a second of anything). */
async function assertOneStack(ctx: string): Promise<void> {
  const res = await projectResources(id);
  expect(res.networks.length, `${ctx}: networks`).toBeLessThanOrEqual(1);
  const names = String(
    (
      await execa('docker', [
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${id}`,
        '--format',
        '{{.Label "com.docker.compose.service"}}',
      ])
    ).stdout,
  )
    .split('\n')
    .filter(Boolean);
  expect(new Set(names).size, `${ctx}: one container per service, got ${names.sort().join(',')}`).toBe(names.length);
}

describe('kill -9 of up', () => {
  it('at 30 random points: the next command is never blocked and the next up converges to one stack', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    process.stdout.write(`[crash-up] seed ${seed}\n`);
    const t0 = Date.now();
    const first = await w.cli(['up', '--json'], { cwd: path });
    expect(first.code, first.stderr).toBe(0);
    const span = Date.now() - t0;
    expect((await w.cli(['down'], { cwd: path })).code).toBe(0);

    const started = Date.now();
    let kills = 0;
    let leftovers = 0;
    for (let round = 0; kills < 30 && round < 80 && Date.now() - started < 300_000; round++) {
      // most rounds kill an up that starts from a stopped stack (what the kill interrupts: ports, override,
      // compose creating containers, the gate); every fourth one kills an up of whatever the last round left
      if (round % 4 !== 3) {
        const down = await w.cli(['down'], { cwd: path, timeoutMs: 60_000 });
        expect(down.code, `round ${round} (seed ${seed}): down after the last round: ${down.stderr}${down.stdout}`).toBe(0);
        if (down.stdout.includes('Stopped compose')) leftovers++; // a process-only kill left its compose running
      }
      const delay = Math.floor(random() * span);
      const group = round % 3 !== 2;
      const k = await runAndKill({ ...w, repo: path }, ['up'], delay, group);
      if (!k.finished) kills++;
      const ctx = `round ${round} (seed ${seed}, kill after ${delay} ms of ~${span}, ${group ? 'group' : 'process'})`;
      // the next command answers at once: a dead owner's lock never makes it wait
      const lock = join(w.home, '.ktrdr', 'sandbox', 'locks', `${id}.lock`);
      if (existsSync(lock)) {
        const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number };
        expect(() => process.kill(holder.pid, 0), `${ctx}: the lock names a live process`).toThrow();
      }
      const s = await w.cli(['status', id, '--json'], { timeoutMs: 30_000 });
      expect(s.code, `${ctx}: ${s.stderr}`).toBe(0);
      await assertOneStack(ctx);
      if (round % 6 === 5) {
        // every few rounds, the next up runs to the end: it converges and its gate passes
        const up = await w.cli(['up', '--no-wait', '--json'], { cwd: path, timeoutMs: 120_000 });
        expect(up.code, `${ctx}: up after the kill: ${up.stderr}`).toBe(0);
        await assertOneStack(`${ctx}, after up`);
      }
    }
    expect(kills).toBeGreaterThanOrEqual(30);
    const last = await w.cli(['up', '--json'], { cwd: path, timeoutMs: 180_000 });
    expect(last.code, last.stderr).toBe(0);
    expect(last.json.gate.passed).toBe(true);
    await assertOneStack('final up');
    const d = await w.cli(['destroy', id, '--force', '--json']);
    expect(d.code, d.stderr).toBe(0);
    const left = await projectResources(id);
    expect(left).toEqual({ containers: [], volumes: [], networks: [] });
    process.stdout.write(`[crash-up] ${kills} kills in ${Date.now() - started} ms; ${leftovers} left a compose running, ended\n`);
  }, 420_000);
});
