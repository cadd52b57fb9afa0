// kill -9 of `destroy` at 30+ random points (issue 9, item 4): the entry is marked `destroying` before anything
// is removed, so the next command (`list`) finishes the job — or, when the destroy was not forced and work has
// appeared since, settles the entry instead. No orphan directory, worktree, entry or Docker object, ever.
// A few rounds destroy a running stack (compose down is the long part).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { makeWorld, projectResources, type World } from './world';
import { assertNoOrphans, registry, rng, runAndKill } from './crash-harness';

let w: World;
beforeAll(async () => {
  w = await makeWorld('safety3');
});
afterAll(async () => {
  await w?.cleanup();
});

describe('kill -9 of destroy', () => {
  it('at 30 random points (3 of them on a running stack): the next command finishes it, nothing is orphaned', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    const random = rng(seed);
    process.stdout.write(`[crash-destroy] seed ${seed}\n`);
    const started = Date.now();
    const outcomes = { kills: 0, finishedByRepair: 0, notStarted: 0, finishedFirst: 0, stackRounds: 0 };
    let span = 1200; // shrunk to the quickest destroy that finished on its own, so nearly every round is a kill
    for (let round = 0; outcomes.kills < 30 && round < 60 && Date.now() - started < 200_000; round++) {
      const name = `d${round}`;
      const id = `safety3--${name}`;
      const c = await w.cli(['create', name, '--json']);
      expect(c.code, c.stderr).toBe(0);
      const path = c.json.instance.path;
      const stack = round === 4 || round === 14 || round === 24;
      if (stack) {
        // the engine is shared: a port briefly held by someone else's test fails some services, which still
        // leaves containers, volumes and a network to destroy
        await w.cli(['up', '--no-wait', '--json'], { cwd: path });
        const res = await projectResources(id);
        expect(res.containers.length + res.networks.length, `round ${round}: up made nothing`).toBeGreaterThan(0);
        outcomes.stackRounds++;
      }
      const force = round % 2 === 1;
      // half anywhere, half in the later part, past the checks (the mark, the removals, the forget happen there)
      const full = stack ? 6000 : span;
      const delay = Math.floor(random() < 0.5 ? random() * full : full * (0.4 + 0.6 * random()));
      const t0 = Date.now();
      const k = await runAndKill(w, ['destroy', id, ...(force ? ['--force'] : [])], delay, round % 3 !== 2);
      if (k.finished) {
        outcomes.finishedFirst++;
        if (!stack) span = Math.min(span, Math.floor((Date.now() - t0) * 0.95));
      } else outcomes.kills++;
      const ctx = `round ${round} (seed ${seed}, kill after ${delay} ms${stack ? ', running stack' : ''}${force ? ', --force' : ''})`;
      const before = registry(w).instances[id];
      const list = await w.cli(['list', '--json']);
      expect(list.code, `${ctx}: ${list.stderr}`).toBe(0);
      await assertNoOrphans(w, [id], ctx);
      const after = registry(w).instances[id];
      if (after) {
        // killed before the mark: the instance is whole; destroy it for real
        outcomes.notStarted++;
        expect(before?.state, `${ctx}: ${list.stderr}`).toBeUndefined();
        expect(existsSync(path), ctx).toBe(true);
        expect((await w.cli(['destroy', id, '--force'])).code, ctx).toBe(0);
      } else if (before?.state === 'destroying') outcomes.finishedByRepair++;
      expect(existsSync(path), ctx).toBe(false);
      expect(await projectResources(id), ctx).toEqual({ containers: [], volumes: [], networks: [] });
      await assertNoOrphans(w, [id], `${ctx}, after`);
    }
    process.stdout.write(`[crash-destroy] ${JSON.stringify(outcomes)} in ${Date.now() - started} ms\n`);
    expect(outcomes.kills).toBeGreaterThanOrEqual(30);
    expect(outcomes.finishedByRepair).toBeGreaterThan(0);
    expect(outcomes.stackRounds).toBeGreaterThanOrEqual(3);
  }, 280_000);
});
