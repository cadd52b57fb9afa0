import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoFiles, demoRoot } from '../../../main/adapters/demo-files';
import { demoInstances } from '../../../main/core/use-cases/demo';
import { record } from '../core/fakes';
import { nodeFiles } from '../../../main/adapters/files';

describe('demo directory', () => {
  it('lives in the user cache directory (never the cwd); KTRDR_SANDBOX_DEMO_DIR overrides', () => {
    expect(demoRoot({ HOME: '/h' }, 'linux')).toBe('/h/.cache/ktrdr-sandbox/demo');
    expect(demoRoot({ HOME: '/h', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/ktrdr-sandbox/demo');
    expect(demoRoot({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Caches/ktrdr-sandbox/demo');
    expect(demoRoot({ HOME: '/h', KTRDR_SANDBOX_DEMO_DIR: '/d' }, 'linux')).toBe('/d');
  });

  it('finds the embedded examples', () => {
    const ex = createDemoFiles({ HOME: '/nonexistent' }).examples();
    expect(Object.keys(ex).sort()).toEqual(expect.arrayContaining(['queue', 'webapp']));
    for (const dir of Object.values(ex)) expect(existsSync(dir)).toBe(true);
  });

  it('demo instances: those whose worktree or repository is under the demo directory', () => {
    const recs = [
      record('sandbox-demo-webapp--a', 1, { path: '/c/demo/sandbox-demo-webapp--a', repo: '/c/demo/sandbox-demo-webapp' }),
      record('ktrdr--x', 2, { path: '/work/ktrdr--x', repo: '/work/ktrdr' }),
    ];
    expect(demoInstances(recs, '/c/demo', nodeFiles).map((r) => r.id)).toEqual(['sandbox-demo-webapp--a']);
    expect(demoInstances(recs, '/c/dem', nodeFiles)).toEqual([]);
  });
});

describe('demo files: nothing it did not make is touched', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-demo-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a non-empty directory without its marker, for writing and for removal', async () => {
    await writeFile(join(dir, 'precious.txt'), 'mine');
    const files = createDemoFiles({ KTRDR_SANDBOX_DEMO_DIR: dir });
    await expect(files.ensureRoot()).rejects.toMatchObject({ code: 'STATE' });
    await expect(files.removeRoot()).rejects.toMatchObject({ code: 'STATE' });
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });

  it('makes a git repository of an example, and removes only its own marked directory', async () => {
    const root = join(dir, 'demo');
    const files = createDemoFiles({ KTRDR_SANDBOX_DEMO_DIR: root, PATH: process.env.PATH });
    await files.ensureRoot();
    await files.makeRepo('queue', join(root, 'repo'));
    expect(existsSync(join(root, 'repo', '.git'))).toBe(true);
    expect(existsSync(join(root, 'repo', 'compose.yml'))).toBe(true);
    await mkdir(join(root, 'x'));
    expect(await files.removeRoot()).toBe(true);
    expect(existsSync(root)).toBe(false);
    expect(await files.removeRoot()).toBe(false);
  });
});
