// Destroy loses nothing it did not show (issue 9, items 1 and 4): ignored files count as work, disposable
// folders do not, unpushed commits on the kept branch are reported (not refused), a checkout registered with
// `init` is never deleted (worktree or clone, old registry entries included), and a worktree whose git
// metadata is gone is still destroyed — after the same risk check. Real git, the real CLI, a temp HOME.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, git, makeWorld, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await makeWorld('safety');
  // a committed .gitignore, as in the issue: *.local and dumps are ignored, so plain `git status` hides them
  await writeFile(join(w.repo, '.gitignore'), '*.local\n*.dump\nnode_modules/\n__pycache__/\n');
  await git(w.repo, 'add', '.gitignore');
  await git(w.repo, 'commit', '-qm', 'ignore local files');
});
afterAll(async () => {
  await w?.cleanup();
});

async function create(name: string): Promise<{ id: string; path: string }> {
  const r = await w.cli(['create', name, '--json']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return r.json.instance;
}

const registry = async () => JSON.parse(await readFile(w.registryFile, 'utf8'));

describe('destroy and ignored files', () => {
  it('refuses a plain destroy when ignored files would go, lists them, and keeps every file', async () => {
    const i = await create('ign');
    await writeFile(join(i.path, 'secrets.local'), 'API_KEY=hunter2\n');
    await writeFile(join(i.path, 'db.dump'), 'dump');
    // disposable: recreated by an install or a run, so not counted
    await mkdir(join(i.path, 'node_modules', 'left-pad'), { recursive: true });
    await writeFile(join(i.path, 'node_modules', 'left-pad', 'index.js'), '');
    await mkdir(join(i.path, 'backend', '__pycache__'), { recursive: true });
    await writeFile(join(i.path, 'backend', '__pycache__', 'x.pyc'), '');
    const before = (await filesUnder(i.path)).sort();

    const r = await w.cli(['destroy', i.id]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('Refusing to destroy');
    expect(r.stderr).toContain('secrets.local (ignored)');
    expect(r.stderr).toContain('db.dump (ignored)');
    expect(r.stderr).not.toContain('node_modules');
    expect(r.stderr).not.toContain('__pycache__');
    expect(r.stderr).not.toContain('.env.sandbox');
    expect((await filesUnder(i.path)).sort()).toEqual(before);
    expect((await registry()).instances[i.id].state).toBeUndefined();

    const j = await w.cli(['destroy', i.id, '--json']);
    expect(j.code).toBe(1);
    expect(j.json.error.code).toBe('DIRTY_WORK');
    expect(j.json.error.details[0].atRisk).toEqual(
      expect.arrayContaining([
        { kind: 'ignored', path: 'secrets.local' },
        { kind: 'ignored', path: 'db.dump' },
      ]),
    );
    expect(j.json.error.details[0].disposable).toEqual(expect.arrayContaining(['node_modules/', 'backend/__pycache__/']));

    // the dump moved away: only disposable things are left, so a plain destroy goes ahead
    await rm(join(i.path, 'secrets.local'));
    await rm(join(i.path, 'db.dump'));
    const ok = await w.cli(['destroy', i.id, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(existsSync(i.path)).toBe(false);
  });

  it('the manifest adds disposable patterns ("!" removes a default); tracked changes always count', async () => {
    const i = await create('disp');
    const manifest = [
      'version: 1',
      'compose: { files: [docker-compose.sandbox.yml] }',
      'ports: [{ name: api, env: KTRDR_API_PORT, slot0: 8000, base: 8000 }]',
      'destroy: { disposable: ["*.tmpdata", "!dist"] }',
      '',
    ].join('\n');
    await writeFile(join(i.path, 'ktrdr-sandbox.yml'), manifest);
    await git(i.path, 'add', 'ktrdr-sandbox.yml');
    await git(i.path, 'commit', '-qm', 'manifest');
    await writeFile(join(i.path, 'run.tmpdata'), 'scratch');
    await mkdir(join(i.path, 'dist'));
    await writeFile(join(i.path, 'dist', 'hand-made.js'), 'work');
    await writeFile(join(i.path, 'backend', 'message.txt'), '# changed\n', { flag: 'a' });
    const r = await w.cli(['destroy', i.id, '--json']);
    expect(r.code).toBe(1);
    const d = r.json.error.details[0];
    expect(d.atRisk).toEqual(
      expect.arrayContaining([
        { kind: 'changed', path: 'backend/message.txt' },
        { kind: 'untracked', path: 'dist/' },
      ]),
    );
    expect(d.atRisk).toHaveLength(2);
    expect(d.disposable).toEqual(['run.tmpdata']);
    expect((await w.cli(['destroy', i.id, '--force', '--json'])).code).toBe(0);
    expect(existsSync(i.path)).toBe(false);
  });

  it('unpushed commits do not block: the branch is kept and the output says so', async () => {
    const i = await create('commits');
    await writeFile(join(i.path, 'work.txt'), 'work\n');
    await git(i.path, 'add', 'work.txt');
    await git(i.path, 'commit', '-qm', 'work');
    const sha = await git(i.path, 'rev-parse', 'HEAD');
    const r = await w.cli(['destroy', i.id]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 commit\(s\) on branch commits are kept/);
    expect(existsSync(i.path)).toBe(false);
    expect(await git(w.repo, 'rev-parse', 'refs/heads/commits')).toBe(sha);
  });

  it('commits on a detached HEAD (on no branch) would be lost: refused', async () => {
    const i = await create('detached');
    await git(i.path, 'checkout', '-q', '--detach');
    await writeFile(join(i.path, 'orphan.txt'), 'x\n');
    await git(i.path, 'add', 'orphan.txt');
    await git(i.path, 'commit', '-qm', 'on no branch');
    const r = await w.cli(['destroy', i.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 commit\(s\) on a detached HEAD/);
    expect(existsSync(join(i.path, 'orphan.txt'))).toBe(true);
    expect((await w.cli(['destroy', i.id, '--force'])).code).toBe(0);
  });
});

describe('directories registered with init are never deleted', () => {
  it('a worktree made by hand and registered with init: destroy unregisters it, every file stays', async () => {
    const wt = join(w.root, 'src', 'safety--by-hand');
    await git(w.repo, 'worktree', 'add', '-q', '-b', 'by-hand', wt);
    expect((await w.cli(['init', '--json'], { cwd: wt })).code).toBe(0);
    await writeFile(join(wt, 'secrets.local'), 'x');
    await writeFile(join(wt, 'notes.txt'), 'y');
    const before = (await filesUnder(wt)).filter((f) => !f.endsWith('.env.sandbox')).sort();
    const r = await w.cli(['destroy', 'safety--by-hand', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.destroyed[0]).toMatchObject({ keptDirectory: true, worktreeRemoved: false });
    expect((await filesUnder(wt)).sort()).toEqual(before);
    expect(await git(w.repo, 'worktree', 'list')).toContain(wt);
    expect((await registry()).instances['safety--by-hand']).toBeUndefined();
    // even --force never deletes it
    expect((await w.cli(['init'], { cwd: wt })).code).toBe(0);
    expect((await w.cli(['destroy', 'safety--by-hand', '--force'])).code).toBe(0);
    expect((await filesUnder(wt)).sort()).toEqual(before);
    await git(w.repo, 'worktree', 'remove', '--force', wt);
  });

  it('a clone registered with init: plain and forced destroy keep every file', async () => {
    const clone = join(w.root, 'src', 'safety-clone');
    await execa('git', ['clone', '-q', w.repo, clone]);
    expect((await w.cli(['init', '--json'], { cwd: clone })).code).toBe(0);
    await writeFile(join(clone, 'db.dump'), 'precious');
    const before = (await filesUnder(clone)).filter((f) => !f.endsWith('.env.sandbox')).sort();
    const r = await w.cli(['destroy', '--json'], { cwd: clone });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await filesUnder(clone)).sort()).toEqual(before);
  });

  it("an old registry entry (no origin field) for a worktree outside create's place is treated as init", async () => {
    const wt = join(w.root, 'elsewhere', 'my-wt');
    await mkdir(join(w.root, 'elsewhere'), { recursive: true });
    await git(w.repo, 'worktree', 'add', '-q', '-b', 'elsewhere', wt);
    expect((await w.cli(['init', '--json'], { cwd: wt })).code).toBe(0);
    const reg = await registry();
    delete reg.instances['my-wt'].origin; // as written by the previous version
    await writeFile(w.registryFile, JSON.stringify(reg, null, 2));
    const r = await w.cli(['destroy', 'my-wt', '--force', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.destroyed[0].keptDirectory).toBe(true);
    expect(existsSync(join(wt, 'backend'))).toBe(true);
    await git(w.repo, 'worktree', 'remove', '--force', wt);
  });
});

describe('worktree metadata gone (.git/worktrees/<id> deleted)', () => {
  it('destroy still completes after the same risk check, and removes the directory as git would', async () => {
    const i = await create('nometa');
    await rm(join(w.repo, '.git', 'worktrees', 'safety--nometa'), { recursive: true, force: true });
    await writeFile(join(i.path, 'secrets.local'), 'x');
    const r = await w.cli(['destroy', i.id, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.json.error.details[0]).toMatchObject({ metadataMissing: true });
    expect(r.json.error.details[0].atRisk).toEqual([{ kind: 'ignored', path: 'secrets.local' }]);
    expect(existsSync(join(i.path, 'secrets.local'))).toBe(true);
    await rm(join(i.path, 'secrets.local'));
    const ok = await w.cli(['destroy', i.id, '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(existsSync(i.path)).toBe(false);
    expect(await git(w.repo, 'worktree', 'list')).not.toContain('nometa');
    expect((await registry()).instances[i.id]).toBeUndefined();
  });

  it('and with --force, even when the .git link itself is gone', async () => {
    const i = await create('nolink');
    await rm(join(i.path, '.git'));
    const ok = await w.cli(['destroy', i.id, '--force', '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(existsSync(i.path)).toBe(false);
    expect(await git(w.repo, 'worktree', 'list')).not.toContain('nolink');
  });
});
