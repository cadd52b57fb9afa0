// The shared data overlay chosen per instance (create --shared-overlay, `shared overlay ID on|off`), on the real
// engine, with a manifest that does NOT ask for an overlay: A created with --shared-overlay writes into the shared
// folder through its container → the host folder is unchanged and A sees its write; B created plainly writes → the
// shared folder changes; `shared overlay B on` + up → B's next write stays in B's overlay; `off` + up → B writes
// into the shared folder again, and the upper directory (with what it wrote through the overlay) is still there.
// The bind is written as KTRDR's file writes it, with a default (${KTRDR_DATA_DIR:-./data}).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStack, shInApp } from './shared-stack';
import type { World } from './world';

let w: World;
let shared: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ({ w, shared } = await sharedStack('ov2-choice'));
}, 60_000);

afterAll(async () => {
  await w?.cleanup();
}, 180_000);

const sh = shInApp;
const hostFiles = async () => (await readdir(shared)).sort();
const upperOf = (id: string) => join(w.home, '.ktrdr', 'sandbox', 'instances', id, 'overlay', 'data', 'upper');

async function ok(args: string[]) {
  const r = await w.cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
  return r;
}

describe('shared data overlay chosen per instance', () => {
  it('A, created with --shared-overlay, writes through its container: the shared folder is unchanged, A sees its write', async () => {
    const c = await ok(['create', 'a', '--shared-overlay', '--json']);
    ids.a = c.json.instance.id;
    expect(JSON.parse(await readFile(w.registryFile, 'utf8')).instances[ids.a!].sharedOverlay).toBe(true);
    const u = await ok(['up', ids.a!, '--json']);
    expect(u.stderr).toMatch(/through a writable overlay/);
    expect(await sh(ids.a!, 'echo a > /data/a.txt && cat /data/a.txt /data/existing.txt')).toEqual({ code: 0, out: 'a\noriginal' });
    expect(await hostFiles()).toEqual(['existing.txt']);
    expect(await readdir(upperOf(ids.a!))).toEqual(['a.txt']);
    const s = await ok(['status', ids.a!, '--json']);
    expect(s.json.instance.sharedOverlay).toBe(true);
    expect(s.json.sharedData).toEqual([
      expect.objectContaining({ folder: 'data', mode: 'overlay', source: 'instance', files: 1, bytes: 2 }),
    ]);
    const l = await ok(['list', '--json']);
    expect(l.json.instances.find((i: { id: string }) => i.id === ids.a).sharedOverlay).toBe(true);
  }, 240_000);

  it('B, created plainly (the manifest asks for no overlay), writes into the shared folder itself', async () => {
    const c = await ok(['create', 'b', '--json']);
    ids.b = c.json.instance.id;
    expect(JSON.parse(await readFile(w.registryFile, 'utf8')).instances[ids.b!].sharedOverlay).toBeUndefined();
    await ok(['up', ids.b!, '--json']);
    expect((await sh(ids.b!, 'echo b1 > /data/b1.txt')).code).toBe(0);
    expect(await hostFiles()).toEqual(['b1.txt', 'existing.txt']);
    const s = await ok(['status', ids.b!, '--json']);
    expect(s.json.sharedData).toEqual([expect.objectContaining({ folder: 'data', mode: 'read-write', source: 'manifest', files: 0 })]);
    expect(s.json.sharedOverlays).toBeUndefined();
    // A, on its overlay, sees the shared folder's new file (overlayfs shows the lower layer's new files)
    expect((await sh(ids.a!, 'cat /data/b1.txt')).out).toBe('b1');
  }, 240_000);

  it('`shared overlay B on` is checked first, and applies at the next up: B’s next write stays in its overlay', async () => {
    const bad = await w.cli(['shared', 'overlay', ids.b!, 'on', 'models', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toMatch(/names "models", not in shared.mounts/);
    expect(JSON.parse(await readFile(w.registryFile, 'utf8')).instances[ids.b!].sharedOverlay).toBeUndefined();

    const on = await ok(['shared', 'overlay', ids.b!, 'on']);
    expect(on.stdout).toMatch(/data through its own overlay .*from its next `up`/);
    expect(on.stdout).toMatch(/is running: restart with `ktrdr-sandbox up/);
    // not before the next up: B still writes into the shared folder — and status says so, not just the choice
    expect((await sh(ids.b!, 'echo b2 > /data/b2.txt')).code).toBe(0);
    expect(await hostFiles()).toEqual(['b1.txt', 'b2.txt', 'existing.txt']);
    await rm(join(shared, 'b2.txt'));
    const pending = await ok(['status', ids.b!, '--json']);
    expect(pending.json.sharedData).toEqual([expect.objectContaining({ folder: 'data', mode: 'overlay', mounted: 'read-write' })]);
    expect((await ok(['status', ids.b!])).stdout).toMatch(
      new RegExp(
        `Shared data: overlay .* — from its next start — its running containers still write into the shared folder itself \\(\`ktrdr-sandbox up ${ids.b}\` applies it\\)`,
      ),
    );

    const u = await ok(['up', ids.b!, '--json']);
    expect(u.stderr).toMatch(/through a writable overlay/);
    const applied = await ok(['status', ids.b!, '--json']);
    expect(applied.json.sharedData).toEqual([expect.objectContaining({ folder: 'data', mode: 'overlay', mounted: 'overlay' })]);
    expect(await sh(ids.b!, 'echo b3 > /data/b3.txt && cat /data/b3.txt')).toEqual({ code: 0, out: 'b3' });
    expect(await hostFiles()).toEqual(['b1.txt', 'existing.txt']);
    expect(await readdir(upperOf(ids.b!))).toEqual(['b3.txt']);
  }, 240_000);

  it('`shared overlay B off` + up: B writes into the shared folder again; its overlay’s writes stay in the upper directory', async () => {
    const off = await ok(['shared', 'overlay', ids.b!, 'off', '--json']);
    expect(off.json).toMatchObject({ instance: ids.b, choice: false, folders: [], running: true });
    expect(off.json.kept).toEqual([{ folder: 'data', upper: upperOf(ids.b!), files: 1, bytes: 3 }]);
    const text = await ok(['shared', 'overlay', ids.b!, 'off']);
    expect(text.stdout).toContain(`its writes to data stay in ${upperOf(ids.b!)} (1 file(s)`);

    await ok(['up', ids.b!, '--json']);
    expect(await sh(ids.b!, 'echo b4 > /data/b4.txt; test -e /data/b3.txt && echo b3-visible || echo b3-absent')).toEqual({
      code: 0,
      out: 'b3-absent',
    });
    expect(await hostFiles()).toEqual(['b1.txt', 'b4.txt', 'existing.txt']);
    expect(await readdir(upperOf(ids.b!))).toEqual(['b3.txt']);
    const s = await ok(['status', ids.b!, '--json']);
    expect(s.json.sharedData).toEqual([expect.objectContaining({ mode: 'read-write', source: 'instance', files: 1 })]);
    expect((await ok(['status', ids.b!])).stdout).toMatch(/Shared data: read-write — 1 file\(s\), 3 B kept from its overlay/);

    // shared reset drops what the overlay left, the shared folder untouched
    const r = await ok(['shared', 'reset', ids.b!, '--json']);
    expect(r.json.reset).toEqual([expect.objectContaining({ folder: 'data', files: 1 })]);
    expect(await readdir(upperOf(ids.b!))).toEqual([]);
    expect(await hostFiles()).toEqual(['b1.txt', 'b4.txt', 'existing.txt']);
  }, 240_000);

  it('create refuses a folder the manifest does not share, before anything is made', async () => {
    const bad = await w.cli(['create', 'c', '--shared-overlay', 'nope', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toMatch(/--shared-overlay names "nope", not in shared.mounts/);
    expect(Object.keys(JSON.parse(await readFile(w.registryFile, 'utf8')).instances).sort()).toEqual([ids.a, ids.b].sort());
  }, 60_000);
});
