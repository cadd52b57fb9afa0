// One operation per instance at a time: 5 concurrent `up`s of one instance, round after round, always leave
// ONE stack with ONE `<id>_default` network (two networks used to make every later up/down fail with
// "network … is ambiguous"). Waiting callers say for whom they wait; --no-wait callers are refused with
// INSTANCE_BUSY. A lock left by a killed process is broken at once.
import { execa } from 'execa';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, projectResources, type World } from './world';

let w: World;
let id: string;
const ROUNDS = 10; // the issue asks for 5 concurrent ups × 10 rounds

beforeAll(async () => {
  w = await makeWorld('input');
  // a high slot: low ones are often held by other stacks on a shared engine
  const c = await w.cli(['create', 'conc', '--slot', '9', '--json']);
  expect(c.code, c.stderr + c.stdout).toBe(0);
  id = c.json.instance.id;
});
afterAll(async () => {
  // never leave this test's own pid in a lock: cleanup's destroy would wait for it
  if (w && id) await rm(join(w.home, '.ktrdr', 'sandbox', 'locks', `${id}.lock`), { force: true });
  await w?.cleanup();
});

async function services(): Promise<string[]> {
  const r = await execa(
    'docker',
    ['ps', '-a', '--filter', `label=com.docker.compose.project=${id}`, '--format', '{{.Label "com.docker.compose.service"}}'],
    { reject: false },
  );
  return String(r.stdout).split('\n').filter(Boolean).sort();
}

describe('concurrent up of one instance', () => {
  it(`${ROUNDS} rounds of 5 concurrent ups (3 waiting, 2 --no-wait): one stack, one network, the others waited or were refused`, async () => {
    const t0 = Date.now();
    let waited = 0;
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const waiting = [0, 1, 2].map(() => w.cli(['up', id, '--no-gate', '--json'], { timeoutMs: 120_000 }));
      const failFast = [0, 1].map(() => w.cli(['up', id, '--no-wait', '--json'], { timeoutMs: 120_000 }));
      const rs = await Promise.all([...waiting, ...failFast]);
      for (const [i, r] of rs.entries()) {
        expect(r.json, `round ${round} caller ${i}: ${r.stdout}${r.stderr}`).toBeDefined();
        if (i < 3) {
          expect(r.code, `round ${round} waiting caller ${i}: ${r.stderr}`).toBe(0);
          if (/waiting for `up` of/.test(r.stderr)) waited++;
        } else if (r.code !== 0) {
          expect(r.code, r.stderr).toBe(1);
          expect(r.json.error.code).toBe('INSTANCE_BUSY');
          expect(r.json.error.message).toMatch(/is busy: `up` by pid \d+/);
          refused++;
        }
      }
      const res = await projectResources(id);
      expect(res.networks, `round ${round}: networks`).toHaveLength(1);
      const svc = await services();
      expect(new Set(svc).size, `round ${round}: one container per service, got ${svc.join(',')}`).toBe(svc.length);
      // the stack answers a plain down and up afterwards (no "network is ambiguous")
      const d = await w.cli(['down', id, '--json']);
      expect(d.code, d.stderr + d.stdout).toBe(0);
      expect((await projectResources(id)).networks).toHaveLength(0);
    }
    // 3 waiting callers per round: at least two of them found the lock taken every round
    expect(waited).toBeGreaterThanOrEqual(ROUNDS);
    expect(refused).toBeGreaterThanOrEqual(ROUNDS);
    // bounded in time too: ~22-28 s a round on a busy 2-core machine (up from scratch, idempotent ups, down)
    expect(Date.now() - t0).toBeLessThan(400_000);
  }, 480_000);

  it('a lock left by a killed process is broken at once, and a live one names its holder', async () => {
    const locks = join(w.home, '.ktrdr', 'sandbox', 'locks');
    await mkdir(locks, { recursive: true });
    // a pid that is certainly dead: a process that has exited
    const dead = await execa('sh', ['-c', 'echo $$']);
    await writeFile(
      join(locks, `${id}.lock`),
      JSON.stringify({ pid: Number(dead.stdout), op: 'up', since: new Date().toISOString(), token: 'x' }),
    );
    const t = Date.now();
    const d = await w.cli(['down', id, '--no-wait', '--json']);
    expect(d.code, d.stderr + d.stdout).toBe(0);
    expect(Date.now() - t).toBeLessThan(10_000);
    // a live holder (this test's own process): --no-wait is refused at once, naming it
    await writeFile(
      join(locks, `${id}.lock`),
      JSON.stringify({ pid: process.pid, op: 'gate', since: new Date().toISOString(), token: 'y' }),
    );
    const busy = await w.cli(['down', id, '--no-wait', '--json']);
    expect(busy.code).toBe(1);
    expect(busy.json.error.code).toBe('INSTANCE_BUSY');
    expect(busy.json.error.message).toContain(`\`gate\` by pid ${process.pid}`);
    const human = await w.cli(['destroy', id, '--no-wait']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^Error: "input--conc" is busy: `gate` by pid \d+ \(since [^)]+\)\nHint: [^\n]+$/);
    // a waiting caller says so on stderr and goes ahead the moment the holder lets go
    const waiting = w.cli(['down', id]);
    await new Promise((r) => setTimeout(r, 1500));
    await writeFile(join(locks, `${id}.lock`), ''); // unreadable content: treated as stale
    const r = await waiting;
    await rm(join(locks, `${id}.lock`), { force: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`waiting for \`gate\` of ${id} by pid ${process.pid}`);
  });
});
