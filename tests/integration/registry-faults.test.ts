// Registry faults (issue 9, items 4 and 7) through the real CLI: an immutable, read-only or directory registry,
// duplicate slots, a key/id mismatch, unknown keys, a stale lock of a dead process — clear errors, fast, and
// nothing removed before the failure is known (no directory made by create, no container or worktree removed
// by destroy). Before: create left an empty ../<repo>--NAME behind, destroy removed everything and then spent
// 49 s retrying the lock, a read-only file was replaced with mode 0644, unknown keys were dropped, a stale
// lock cost ~14 s.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, projectResources, type World } from './world';

let w: World;
let inst: { id: string; path: string; slot: number };
let pristine = '';
beforeAll(async () => {
  w = await makeWorld('safety4');
  const c = await w.cli(['create', 'victim', '--json']);
  expect(c.code, c.stderr).toBe(0);
  inst = c.json.instance;
  // something of it in Docker, so "nothing removed" can be checked there too
  await execa('docker', ['network', 'create', '--label', `com.docker.compose.project=${inst.id}`, `${inst.id}_default`]);
  pristine = await readFile(w.registryFile, 'utf8');
});
afterEach(async () => {
  await rm(`${w.registryFile}.lock`, { recursive: true, force: true });
  await execa('chattr', ['-i', w.registryFile], { reject: false });
  await execa('chattr', ['-i', join(w.home, '.ktrdr', 'sandbox')], { reject: false });
  await chmod(w.registryFile, 0o644).catch(() => undefined);
  const st = await stat(w.registryFile).catch(() => undefined);
  if (st?.isDirectory()) await rm(w.registryFile, { recursive: true });
  await writeFile(w.registryFile, pristine);
});
afterAll(async () => {
  await w?.cleanup();
});

const siblings = () => readdir(join(w.root, 'src'));
async function intact(): Promise<void> {
  expect(existsSync(join(inst.path, 'backend'))).toBe(true);
  expect((await projectResources(inst.id)).networks).toHaveLength(1);
}

/** A create and a destroy against the broken registry: both fail fast, with `message`, touching nothing. */
async function refusedFast(message: RegExp): Promise<void> {
  const before = await siblings();
  const c = await w.cli(['create', 'newbie', '--json']);
  expect(c.code, c.stdout).toBe(1);
  expect(JSON.stringify(c.json.error)).toMatch(message);
  expect(c.ms).toBeLessThan(8000);
  expect(await siblings()).toEqual(before);
  const d = await w.cli(['destroy', inst.id, '--force', '--json']);
  expect(d.code, d.stdout).toBe(1);
  expect(JSON.stringify(d.json.error)).toMatch(message);
  expect(d.ms).toBeLessThan(8000);
  await intact();
}

describe('registry faults', () => {
  it('an immutable registry file (chattr +i): clear error, nothing made or removed', async () => {
    if ((await execa('chattr', ['+i', w.registryFile], { reject: false })).exitCode !== 0) {
      // no chattr support on this file system: a read-only directory plays the same part (not for root)
      await chmod(join(w.home, '.ktrdr', 'sandbox'), 0o555);
    }
    await refusedFast(/Cannot write the registry|not permitted|permission denied/);
    expect(await readFile(w.registryFile, 'utf8')).toBe(pristine);
  });

  it('an immutable registry directory: the lock cannot be made, clear error at once', async () => {
    expect((await execa('chattr', ['+i', join(w.home, '.ktrdr', 'sandbox')], { reject: false })).exitCode).toBe(0);
    await refusedFast(/Cannot write the registry/);
  });

  it('a read-only registry file stays read-only and unchanged', async () => {
    await chmod(w.registryFile, 0o444);
    await refusedFast(/is read-only \(mode 0444\)/);
    expect((await stat(w.registryFile)).mode & 0o777).toBe(0o444);
    expect(await readFile(w.registryFile, 'utf8')).toBe(pristine);
  });

  it('a registry path that is a directory', async () => {
    await rm(w.registryFile);
    await mkdir(w.registryFile);
    const l = await w.cli(['list', '--json']);
    expect(l.code).toBe(1);
    expect(l.json.error.message).toMatch(/is a directory/);
    const before = await siblings();
    const c = await w.cli(['create', 'newbie', '--json']);
    expect(c.code).toBe(1);
    expect(await siblings()).toEqual(before);
  });

  it('duplicate slots: refused with both names, nothing acted on', async () => {
    const reg = JSON.parse(pristine);
    reg.instances['safety4--ghost'] = { ...reg.instances[inst.id], id: 'safety4--ghost', path: join(w.root, 'src', 'safety4--ghost') };
    await writeFile(w.registryFile, JSON.stringify(reg, null, 2));
    await refusedFast(/both hold slot/);
    const l = await w.cli(['list']);
    expect(l.code).toBe(1);
    expect(l.stderr).toContain(`"${inst.id}" and "safety4--ghost" both hold slot ${inst.slot}`);
  });

  it('a key/id mismatch: destroy of either name refuses instead of acting on the wrong project', async () => {
    const reg = JSON.parse(pristine);
    reg.instances['safety4--other'] = reg.instances[inst.id];
    delete reg.instances[inst.id];
    await writeFile(w.registryFile, JSON.stringify(reg, null, 2));
    for (const id of ['safety4--other', inst.id]) {
      const d = await w.cli(['destroy', id, '--force', '--json']);
      expect(d.code).toBe(1);
      expect(d.json.error.code).toBe('REGISTRY_CORRUPT');
      expect(d.json.error.message).toMatch(/"safety4--other" has id "safety4--victim"/);
    }
    await intact();
  });

  it('unknown keys survive a write; a 0600 file stays 0600', async () => {
    const reg = JSON.parse(pristine);
    reg.owner = 'registry-7f3a';
    reg.instances[inst.id].labels = { team: 'x' };
    await writeFile(w.registryFile, JSON.stringify(reg, null, 2));
    await chmod(w.registryFile, 0o600);
    const c = await w.cli(['create', 'keeper', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const after = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(after.owner).toBe('registry-7f3a');
    expect(after.instances[inst.id].labels).toEqual({ team: 'x' });
    expect((await stat(w.registryFile)).mode & 0o777).toBe(0o600);
    expect((await w.cli(['destroy', 'safety4--keeper', '--force'])).code).toBe(0);
  });

  it('a stale lock left by a killed command (dead pid) is broken at once: the next write takes < 2 s more', async () => {
    const timed = async (name: string) => {
      const r = await w.cli(['create', name, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect((await w.cli(['destroy', `safety4--${name}`, '--force'])).code).toBe(0);
      return r.ms;
    };
    const base = Math.min(await timed('lk0'), await timed('lk1'));
    const lock = `${w.registryFile}.lock`;
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), `${spawnSync('true').pid}\n`);
    const ms = await timed('lk2');
    expect(ms - base).toBeLessThan(2000);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock made by an older version (no pid inside, minutes old) is broken too', async () => {
    const lock = `${w.registryFile}.lock`;
    await mkdir(lock);
    await execa('touch', ['-d', new Date(Date.now() - 120_000).toISOString(), lock]);
    const r = await w.cli(['create', 'lk3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect((await w.cli(['destroy', 'safety4--lk3', '--force'])).code).toBe(0);
  });
});
