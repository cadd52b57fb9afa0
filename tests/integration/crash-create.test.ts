// kill -9 of `create` at 30+ random points (issue 9, item 4): the next command (`list`) rolls back or keeps
// what was half made, and no directory, git worktree, registry entry or Docker object is left orphaned.
// Before the intent record, a kill between mkdir and the registry write left an empty ../<repo>--NAME that
// no command could clean (`create` said it exists, `destroy` said not found).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, makeWorld, type World } from './world';
import { assertNoOrphans, registry, rng, runAndKill } from './crash-harness';

let w: World;
beforeAll(async () => {
  w = await makeWorld('safety2');
});
afterAll(async () => {
  await w?.cleanup();
});

describe('kill -9 of create', () => {
  it('at 30 random points: the next command repairs, nothing is orphaned, the name can be created again', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    process.stdout.write(`[crash-create] seed ${seed}\n`);
    // how long a create takes here (the quicker of two), so the kills spread over all of it
    let span = Infinity;
    for (const n of ['probe1', 'probe2']) {
      const t0 = Date.now();
      const probe = await w.cli(['create', n, '--json']);
      expect(probe.code, probe.stderr).toBe(0);
      span = Math.min(span, Date.now() - t0);
      expect((await w.cli(['destroy', `safety2--${n}`, '--force'])).code).toBe(0);
    }

    const started = Date.now();
    const outcomes = { kills: 0, rolledBack: 0, kept: 0, finishedFirst: 0 };
    for (let round = 0; outcomes.kills < 30 && round < 60 && Date.now() - started < 170_000; round++) {
      const name = `k${round}`;
      const id = `safety2--${name}`;
      // half anywhere, half in the last 40 % (the checkout and the registry writes happen there)
      const delay = Math.floor(random() < 0.5 ? random() * span : span * (0.6 + 0.4 * random()));
      const group = round % 3 !== 2;
      const k = await runAndKill(w, ['create', name], delay, group);
      if (k.finished) outcomes.finishedFirst++;
      else outcomes.kills++;
      const ctx = `round ${round} (seed ${seed}, kill after ${delay} ms of ~${span}, ${group ? 'group' : 'process'})`;
      const list = await w.cli(['list', '--json']);
      expect(list.code, `${ctx}: ${list.stderr}`).toBe(0);
      await assertNoOrphans(w, [id], ctx);
      const reg = registry(w);
      if (reg.instances[id]) {
        outcomes.kept++;
        // kept means complete: the whole checkout is there, nothing half-written
        expect(await git(reg.instances[id].path, 'status', '--porcelain'), ctx).toBe('');
        const d = await w.cli(['destroy', id, '--force', '--json']);
        expect(d.code, `${ctx}: ${d.stderr}`).toBe(0);
      } else {
        outcomes.rolledBack++;
        expect(existsSync(join(w.root, 'src', id)), ctx).toBe(false);
      }
      await assertNoOrphans(w, [id], `${ctx}, after cleanup`);
    }
    process.stdout.write(`[crash-create] ${JSON.stringify(outcomes)} in ${Date.now() - started} ms\n`);
    expect(outcomes.kills).toBeGreaterThanOrEqual(30);
    expect(outcomes.rolledBack).toBeGreaterThan(0);
  });

  it('a create killed half-way (its intent record and staging checkout left) does not block the name', async () => {
    // the state a kill during the checkout leaves, made exactly: an intent record of a dead process, a
    // half-filled staging folder
    const dead = spawnSync('true').pid!;
    const id = 'safety2--again';
    const path = join(w.root, 'src', id);
    const staging = join(w.root, 'src', `.ktrdr-sandbox-creating--${id}`, id);
    await mkdir(join(staging, 'backend'), { recursive: true });
    await writeFile(join(staging, 'backend', 'main.py'), 'half-writ');
    const reg = registry(w);
    reg.instances[id] = {
      id,
      path,
      slot: 7,
      kind: 'worktree',
      repo: w.repo,
      branch: 'again',
      createdAt: new Date().toISOString(),
      origin: 'created',
      state: 'creating',
      pid: dead,
    };
    await writeFile(w.registryFile, JSON.stringify(reg, null, 2));
    const r = await w.cli(['create', 'again', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('Rolled back the interrupted create');
    expect(existsSync(join(w.root, 'src', `.ktrdr-sandbox-creating--${id}`))).toBe(false);
    expect(registry(w).instances[id].state).toBeUndefined();
    await assertNoOrphans(w, [id], 'create again');
  });
});
