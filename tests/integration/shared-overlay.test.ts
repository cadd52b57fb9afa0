// Shared data through a per-instance writable overlay (manifest shared.overlay), on the real engine: an instance
// writes a new file into the shared data folder and changes an existing one → the host's shared folder is
// unchanged, the instance sees its writes (also after down/up), another instance does not; `status` counts the
// writes, `shared reset` drops them, destroy removes the overlay volume and the upper directory.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStack, shInApp } from './shared-stack';
import type { World } from './world';

let w: World;
let shared: string;
let hostShared: () => Promise<Record<string, string>>;

beforeAll(async () => {
  ({ w, shared, hostShared } = await sharedStack('kts-ov', { overlay: '[data]' }));
}, 60_000);

afterAll(async () => {
  await w?.cleanup();
}, 180_000);

const sh = shInApp;

describe('shared data overlay (shared.overlay)', () => {
  const ids: string[] = [];

  it("an instance's writes into the shared data folder stay its own: the host folder is unchanged", async () => {
    const c = await w.cli(['create', 'a', '--json']);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    ids.push(c.json.instance.id);
    const u = await w.cli(['up', ids[0]!, '--json']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(u.stderr).toMatch(/through a writable overlay/);
    const r = await sh(ids[0]!, 'echo new > /data/new.txt && echo changed > /data/existing.txt && cat /data/existing.txt /data/new.txt');
    expect(r).toEqual({ code: 0, out: 'changed\nnew' });
    expect(await hostShared()).toEqual({ 'existing.txt': 'original\n' });
    const upper = join(w.home, '.ktrdr', 'sandbox', 'instances', ids[0]!, 'overlay', 'data', 'upper');
    expect((await readdir(upper)).sort()).toEqual(['existing.txt', 'new.txt']);

    const s = await w.cli(['status', ids[0]!, '--json']);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(s.json.sharedOverlays).toEqual([
      expect.objectContaining({
        folder: 'data',
        env: 'KTRDR_DATA_DIR',
        lower: shared,
        upper,
        services: [{ service: 'app', target: '/data' }],
        files: 2,
        bytes: 12,
      }),
    ]);
    const text = await w.cli(['status', ids[0]!]);
    expect(text.stdout).toMatch(/Shared data: overlay \(app\) — this instance wrote 2 file\(s\)/);
  }, 240_000);

  it('its writes survive down and up', async () => {
    const d = await w.cli(['down', ids[0]!, '--json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const u = await w.cli(['up', ids[0]!, '--json']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(await sh(ids[0]!, 'cat /data/existing.txt /data/new.txt')).toEqual({ code: 0, out: 'changed\nnew' });
    expect(await hostShared()).toEqual({ 'existing.txt': 'original\n' });
  }, 240_000);

  it('a second instance sees the shared folder, not the first one’s writes', async () => {
    const c = await w.cli(['create', 'b', '--json']);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    ids.push(c.json.instance.id);
    const u = await w.cli(['up', ids[1]!, '--json']);
    expect(u.code, u.stdout + u.stderr).toBe(0);
    expect(await sh(ids[1]!, 'cat /data/existing.txt; test -e /data/new.txt && echo LEAKED || echo absent')).toEqual({
      code: 0,
      out: 'original\nabsent',
    });
  }, 240_000);

  it('shared reset drops the writes (the service restarted), the shared folder untouched', async () => {
    const r = await w.cli(['shared', 'reset', ids[0]!, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.restarted).toEqual(['app']);
    expect(r.json.reset).toEqual([expect.objectContaining({ folder: 'data', files: 2 })]);
    expect(await sh(ids[0]!, 'cat /data/existing.txt; test -e /data/new.txt && echo still || echo gone')).toEqual({
      code: 0,
      out: 'original\ngone',
    });
    expect(await hostShared()).toEqual({ 'existing.txt': 'original\n' });
    const s = await w.cli(['status', ids[0]!, '--json']);
    expect(s.json.sharedOverlays[0].files).toBe(0);
    // an instance without an overlay of that folder is refused in one line
    const bad = await w.cli(['shared', 'reset', ids[0]!, '--folder', 'models', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toMatch(/has no overlay of "models"/);
  }, 240_000);

  it('destroy removes the overlay volume and the upper directory', async () => {
    const vol = `${ids[0]}_ktrdr-overlay-data`;
    const before = await execa('docker', ['volume', 'inspect', vol, '--format', '{{json .Labels}} {{json .Options}}']);
    const [labels, options] = String(before.stdout)
      .split(' ')
      .map((x) => JSON.parse(x));
    expect(labels).toMatchObject({ 'dev.ktrdr-sandbox.instance': ids[0], 'dev.ktrdr-sandbox.role': 'shared-overlay' });
    expect(options).toMatchObject({ type: 'overlay', device: 'overlay' });
    const d = await w.cli(['destroy', ids[0]!, '--force', '--json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect((await execa('docker', ['volume', 'inspect', vol], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(join(w.home, '.ktrdr', 'sandbox', 'instances', ids[0]!, 'overlay'))).toBe(false);
    expect(await hostShared()).toEqual({ 'existing.txt': 'original\n' });
    // the other instance still runs on its own overlay
    expect((await sh(ids[1]!, 'cat /data/existing.txt')).out).toBe('original');
  }, 240_000);
});
