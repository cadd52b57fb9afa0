// Capacity before `up`, on the real engine: a stack whose last-seen memory (kept in its stats state) exceeds
// the engine's real free memory is refused with exit 5 and one line, before compose creates anything;
// `--force` starts it anyway (and the gate passes).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, projectResources, type World } from './world';

let world: World;
let id: string;
const TiB = 1024 ** 4;

beforeAll(async () => {
  world = await makeWorld('engcap');
  const init = await world.cli(['init', '--json']);
  expect(init.code, init.stderr).toBe(0);
  id = init.json.instance.id;
  // what `engines` would have written after seeing it use 1 TiB: more than this machine has
  const stats = join(world.home, '.ktrdr', 'sandbox', 'stats');
  await mkdir(stats, { recursive: true });
  await writeFile(
    join(stats, `${id}.json`),
    JSON.stringify({ at: new Date().toISOString(), engine: 'default', memoryBytes: TiB, containers: 9 }),
  );
}, 60_000);

afterAll(async () => {
  await world?.cleanup();
});

describe('capacity before up', () => {
  it('refused with exit 5 and one line naming the need and the free memory; nothing created', async () => {
    const r = await world.cli(['up', '--json']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.json.error.code).toBe('CAPACITY');
    expect(r.json.error.message).toMatch(
      new RegExp(
        `^${id} does not fit on engine "default": it needs last seen using 1024\\.0 GiB \\+ 512 MiB reserve, and (at most )?[\\d.]+ (GiB|MiB) is free\\. No other reachable engine has room for it either\\.$`,
      ),
    );
    expect(r.json.error.message).not.toMatch(/\n/);
    expect(r.json.error.hint).toMatch(/--force/);
    expect(r.json.error.details).toMatchObject({ fits: false, engine: 'default', needBytes: TiB, estimate: { source: 'last-seen' } });
    expect((await projectResources(id)).containers).toEqual([]);
    process.stdout.write(`[capacity] refused in ${r.ms} ms\n`);
    const human = await world.cli(['up']);
    expect(human.code).toBe(5);
    expect(human.stderr).toMatch(/does not fit on engine "default"/);
  });

  it('--force starts it anyway: a warning, then the gate passes', async () => {
    const r = await world.cli(['up', '--force']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /Memory: needs 1048576 MiB \(last-seen\) \+ reserve, .* on engine "default" — started anyway \(--force\)/,
    );
    expect(r.stdout).toMatch(/Instance ready/);
    expect((await projectResources(id)).containers.length).toBeGreaterThan(0);
  });

  it('an up of the stack running whole is not measured again (an idempotent up stays fast)', async () => {
    const r = await world.cli(['up']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Memory: already running, nothing more needed/);
    process.stdout.write(`[capacity] up of the running stack: ${r.ms} ms\n`);
  });
});
