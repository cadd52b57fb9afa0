// Bad input gets a clear error and loses nothing: Docker down, a corrupt registry, concurrent creates, a
// create that fails half-way, init of an existing clone, and .env.sandbox self-healing.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeWorld, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});
afterAll(async () => {
  await w?.cleanup();
});

describe('safety', () => {
  it('exits 4 within 2 s when the engine is down, writing nothing', async () => {
    const down = { DOCKER_HOST: `unix://${w.root}/no-docker.sock` };
    // what this machine needs just to start the CLI (help), so the 2 s budget is measured above it
    const base = Math.min(...(await Promise.all([0, 1, 2].map(async () => (await w.cli(['--version'])).ms))));
    for (const args of [['create', 'x'], ['list'], ['prune']]) {
      const r = await w.cli(args, { env: down });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/Docker/);
      expect(r.stderr).toContain('no-docker.sock');
      expect(r.ms - base).toBeLessThan(2000);
    }
    const j = await w.cli(['list', '--json'], { env: down });
    expect(j.json.error.code).toBe('ENGINE_UNAVAILABLE');
    expect(existsSync(w.registryFile)).toBe(false);
    expect(await readdir(join(w.root, 'src'))).toEqual(['ktrdr']);
  });

  it('preserves a corrupt registry and says so clearly', async () => {
    await mkdir(join(w.home, '.ktrdr', 'sandbox'), { recursive: true });
    const garbage = '{"version": 1, "instances": {oops';
    await writeFile(w.registryFile, garbage);
    for (const args of [['list'], ['create', 'y']]) {
      const r = await w.cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is unreadable');
      expect(r.stderr).toContain(w.registryFile);
      expect(r.stderr).toContain('left untouched');
    }
    expect(await readFile(w.registryFile, 'utf8')).toBe(garbage);
    expect(existsSync(join(w.root, 'src', 'ktrdr--y'))).toBe(false);
    await rm(w.registryFile);
  });

  it('gives 10 concurrent creates 10 distinct slots and a valid registry', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `par-${i}`);
    const rs = await Promise.all(names.map((n) => w.cli(['create', n, '--json'])));
    for (const r of rs) expect(r.code, r.stderr + r.stdout).toBe(0);
    const slots = rs.map((r) => r.json.instance.slot).sort((x, y) => x - y);
    expect(slots).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(Object.keys(reg.instances)).toHaveLength(10);
    const eleventh = await w.cli(['create', 'one-too-many']);
    expect(eleventh.code).toBe(1);
    expect(eleventh.stderr).toContain('All slots 1-10 are taken');
    expect(existsSync(join(w.root, 'src', 'ktrdr--one-too-many'))).toBe(false);
    const d = await w.cli(['destroy', '--all', '--json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.json.destroyed).toHaveLength(10);
  });

  it('rolls back a failed create: no registry entry, no directory', async () => {
    // `main` is checked out in the main worktree, so git refuses a second checkout of it.
    const r = await w.cli(['create', 'dup', '--branch', 'main', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.stringify(r.json.error)).toMatch(/already (checked out|used by worktree)/);
    expect(existsSync(join(w.root, 'src', 'ktrdr--dup'))).toBe(false);
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(reg.instances['ktrdr--dup']).toBeUndefined();
    expect(await git(w.repo, 'worktree', 'list')).not.toContain('ktrdr--dup');
  });

  it('rejects bad names and slots before doing anything', async () => {
    const before = await readdir(join(w.root, 'src'));
    for (const args of [
      ['create', '../evil'],
      ['create', 'ok', '--slot', '11'],
      ['create', 'ok', '--slot', 'x'],
    ]) {
      const r = await w.cli(args);
      expect(r.code, args.join(' ')).toBe(1);
    }
    expect(await readdir(join(w.root, 'src'))).toEqual(before);
  });

  it('init registers an existing clone (detected as such) and self-heals .env.sandbox from the registry', async () => {
    const clone = join(w.root, 'src', 'my-clone');
    await execa('git', ['clone', '-q', w.repo, clone]);
    const r = await w.cli(['init', '--slot', '4', '--json'], { cwd: clone });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json.instance).toMatchObject({ id: 'my-clone', slot: 4, kind: 'clone' });
    const again = await w.cli(['init'], { cwd: clone });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already registered');
    const envFile = join(clone, '.env.sandbox');
    const original = await readFile(envFile, 'utf8');
    await rm(envFile);
    const up = await w.cli(['up', '--no-wait', '--json'], { cwd: join(clone, 'backend') });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.json.ok).toBe(true);
    expect(await readFile(envFile, 'utf8')).toBe(original);
    // a clone is never deleted by destroy; it is unregistered and its Docker state removed
    const d = await w.cli(['destroy', '--force', '--json'], { cwd: clone });
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.json.destroyed[0].keptDirectory).toBe(true);
    expect(existsSync(join(clone, '.git'))).toBe(true);
    expect(existsSync(envFile)).toBe(false);
  });

  it('init registers a worktree made by hand as a worktree', async () => {
    const wt = join(w.root, 'src', 'ktrdr--manual');
    await git(w.repo, 'worktree', 'add', '-q', '-b', 'manual', wt);
    const r = await w.cli(['init', '--json'], { cwd: wt });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.instance).toMatchObject({ id: 'ktrdr--manual', kind: 'worktree' });
  });

  it('list prunes entries whose directory is gone and reports it', async () => {
    const wt = join(w.root, 'src', 'ktrdr--manual');
    await rm(wt, { recursive: true, force: true });
    const r = await w.cli(['list', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.pruned.map((p: any) => p.id)).toContain('ktrdr--manual');
    expect(r.json.instances.map((i: any) => i.id)).not.toContain('ktrdr--manual');
  });

  it('ports --check proves every port of every slot is distinct', async () => {
    const r = await w.cli(['ports', '--check', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.check.ok).toBe(true);
    expect(r.json.slots).toHaveLength(11);
    const all = r.json.slots.flatMap((s: any) => s.ports.map((p: any) => p.port));
    expect(new Set(all).size).toBe(all.length);
  });
});
