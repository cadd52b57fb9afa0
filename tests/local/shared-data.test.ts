// Shared data: init / pack / status through the real CLI. A package round-trips byte-identically onto
// another "machine" (another HOME); init --from never overwrites differing data without --force, and never
// deletes anything.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from '../integration/world';

let w: World;
let homeB: string;
let homeC: string;
let sharedA: string;
let sharedB: string;
let pkg: string;

/** rel path → "file <sha256> <mode>" / "dir <mode>" / "link <target>" for everything under dir. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (d: string) => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      const rel = relative(dir, p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${await readlink(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        await visit(p);
      } else
        out[rel] = `file ${createHash('sha256')
          .update(await readFile(p))
          .digest('hex')} ${mode}`;
    }
  };
  await visit(dir);
  return out;
}

const asB = () => ({ env: { HOME: homeB } });

beforeAll(async () => {
  w = await makeWorld();
  homeB = join(w.root, 'home-b');
  homeC = join(w.root, 'home-c');
  await mkdir(homeB);
  await mkdir(homeC);
  sharedA = join(w.home, '.ktrdr', 'shared');
  sharedB = join(homeB, '.ktrdr', 'shared');
  pkg = join(w.root, 'out', 'shared.tar.gz');
});
afterAll(async () => {
  await w?.cleanup();
});

describe('shared data', () => {
  it('status before init: every folder missing', async () => {
    const r = await w.cli(['shared', 'status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.schema).toBe('ktrdr-sandbox/shared-status@1');
    expect(r.json.root).toBe(sharedA);
    expect(r.json.folders.map((f: any) => [f.folder, f.exists])).toEqual([
      ['data', false],
      ['strategies', false],
      ['models', false],
    ]);
  });

  it('init creates data, strategies and models', async () => {
    const r = await w.cli(['shared', 'init', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.created).toEqual(['data', 'strategies', 'models']);
    for (const f of ['data', 'strategies', 'models']) expect((await stat(join(sharedA, f))).isDirectory()).toBe(true);
    const again = await w.cli(['shared', 'init']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already exist');
    const minimalAndFrom = await w.cli(['shared', 'init', '--minimal', '--from', w.root]);
    expect(minimalAndFrom.code).toBe(1);
  });

  it('status counts files and bytes per folder', async () => {
    await mkdir(join(sharedA, 'data', 'AAPL', '1h'), { recursive: true });
    await writeFile(join(sharedA, 'data', 'AAPL', '1h', 'bars.csv'), 'ts,open,close\n1,2,3\n');
    await writeFile(join(sharedA, 'data', 'big.bin'), randomBytes(1024 * 1024 + 17));
    await mkdir(join(sharedA, 'data', 'empty-dir'));
    await writeFile(join(sharedA, 'strategies', 'trend.yaml'), 'name: trend\nindicators: [rsi]\n');
    await writeFile(join(sharedA, 'strategies', 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(sharedA, 'strategies', 'run.sh'), 0o755);
    await mkdir(join(sharedA, 'models', 'trend', 'v1'), { recursive: true });
    await writeFile(join(sharedA, 'models', 'trend', 'v1', 'model.pt'), randomBytes(300_000));
    await symlink('v1', join(sharedA, 'models', 'trend', 'latest'));
    const r = await w.cli(['shared', 'status', '--json']);
    expect(r.code).toBe(0);
    const by = Object.fromEntries(r.json.folders.map((f: any) => [f.folder, f]));
    expect(by.data).toMatchObject({ exists: true, files: 2, bytes: 'ts,open,close\n1,2,3\n'.length + 1024 * 1024 + 17 });
    expect(by.strategies.files).toBe(2);
    expect(by.models).toMatchObject({ files: 1, bytes: 300_000 });
    expect(r.json.files).toBe(5);
    const human = await w.cli(['shared', 'status']);
    expect(human.stdout).toMatch(/data\s+2\s+1\.0 MB/);
    expect(human.stdout).toMatch(/models\s+1\s+293 KB/);
  });

  it('pack writes one .tar.gz and never overwrites one', async () => {
    const r = await w.cli(['shared', 'pack', '--out', pkg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.file).toBe(pkg);
    expect(r.json.files).toBe(5);
    const bytes = await readFile(pkg);
    expect(r.json.bytes).toBe(bytes.length);
    expect(r.json.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const again = await w.cli(['shared', 'pack', '--out', pkg]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const inside = await w.cli(['shared', 'pack', '--out', join(sharedA, 'x.tar.gz')]);
    expect(inside.code).toBe(1);
    expect(existsSync(join(sharedA, 'x.tar.gz'))).toBe(false);
  });

  it('init --from TARBALL on another machine round-trips byte-identically', async () => {
    const r = await w.cli(['shared', 'init', '--from', pkg, '--json'], asB());
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json.root).toBe(sharedB);
    expect(r.json.sourceKind).toBe('tarball');
    expect(r.json.added).toBe(6); // 5 files + 1 symlink
    const a = await snapshot(sharedA);
    const b = await snapshot(sharedB);
    expect(Object.keys(a).length).toBeGreaterThanOrEqual(12);
    expect(b).toEqual(a);
    expect(b['data/empty-dir']).toMatch(/^dir /);
    expect(b['strategies/run.sh']).toMatch(/ 755$/);
    // nothing left behind next to the shared folder
    expect((await readdir(join(homeB, '.ktrdr'))).sort()).toEqual(['shared']);
  });

  it('refuses to overwrite differing files without --force, listing them, changing nothing', async () => {
    const bars = join(sharedB, 'data', 'AAPL', '1h', 'bars.csv');
    await writeFile(bars, 'locally edited\n');
    await writeFile(join(sharedB, 'data', 'mine-only.csv'), 'keep me\n');
    const before = await snapshot(sharedB);
    const r = await w.cli(['shared', 'init', '--from', pkg], asB());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Refusing to overwrite 1 existing file');
    expect(r.stderr).toContain('data/AAPL/1h/bars.csv');
    expect(r.stderr).toContain('--force');
    expect(await snapshot(sharedB)).toEqual(before);
    const j = await w.cli(['shared', 'init', '--from', pkg, '--json'], asB());
    expect(j.json.error.details.conflicts.map((c: any) => c.path)).toEqual(['data/AAPL/1h/bars.csv']);
  });

  it('--force overwrites the differing files and still deletes nothing', async () => {
    const r = await w.cli(['shared', 'init', '--from', pkg, '--force', '--json'], asB());
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.overwritten).toEqual(['data/AAPL/1h/bars.csv']);
    expect(r.json.kept).toBe(1);
    const b = await snapshot(sharedB);
    expect(b['data/mine-only.csv']).toBeDefined();
    delete b['data/mine-only.csv'];
    expect(b).toEqual(await snapshot(sharedA));
  });

  it('init --from DIR copies a directory laid out like the shared folder', async () => {
    const r = await w.cli(['shared', 'init', '--from', sharedA, '--json'], { env: { HOME: homeC } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.sourceKind).toBe('directory');
    expect(await snapshot(join(homeC, '.ktrdr', 'shared'))).toEqual(await snapshot(sharedA));
    const bad = await w.cli(['shared', 'init', '--from', join(w.root, 'src')], { env: { HOME: homeC } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('holds none of');
    const missing = await w.cli(['shared', 'init', '--from', join(w.root, 'nope.tar.gz')], { env: { HOME: homeC } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });
});
