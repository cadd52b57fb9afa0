// The per-instance shared overlay choice: which folders a record's choice overlays (it outranks the manifest),
// the checks of `create --shared-overlay` / `shared overlay ID on|off`, their argument parsing, and the use-case
// recording the choice in the registry (checked first: nothing written when refused) and what status shows.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { overlayFolders, overlayMounts } from '../../../main/core/override/overlay';
import { ktrdrPreset } from '../../../main/core/preset';
import type { Manifest } from '../../../main/core/manifest-schema';
import {
  overlayChoiceFor,
  overlayRequest,
  parseOverlayArgs,
  refuseRemoteChoice,
  setSharedOverlay,
} from '../../../main/core/use-cases/shared-overlay-choice';
import { statusOf } from '../../../main/core/use-cases/status';
import type { RegistryData } from '../../../main/shared/types';
import { FakeEngine, container, fakeDeps, record, registryWith } from './fakes';
import { MemoryFiles } from './memory-files';

const withOverlay = (overlay: Manifest['shared']['overlay']): Manifest => ({ ...ktrdrPreset, shared: { ...ktrdrPreset.shared, overlay } });
const noMounts: Manifest = { ...ktrdrPreset, shared: { mounts: {}, overlay: false } };
const VARS = { KTRDR_DATA_DIR: '/s/data', KTRDR_MODELS_DIR: '/s/models', KTRDR_STRATEGIES_DIR: '/s/strategies' };

describe('the folders an instance sees through its overlay', () => {
  it('no choice: the manifest decides', () => {
    expect(overlayFolders(withOverlay(false))).toEqual([]);
    expect(overlayFolders(withOverlay(['models']))).toEqual(['models']);
    expect(overlayFolders(withOverlay(true), undefined)).toEqual(['data', 'models', 'strategies']);
  });

  it("its own choice outranks the manifest's: true = every mount, a list = those, false = none", () => {
    expect(overlayFolders(withOverlay(false), true)).toEqual(['data', 'models', 'strategies']);
    expect(overlayFolders(withOverlay(true), false)).toEqual([]);
    expect(overlayFolders(withOverlay(true), ['data', 'data'])).toEqual(['data']);
    expect(overlayMounts('/h', 'r--a', withOverlay(true), VARS, false)).toEqual([]);
    expect(overlayMounts('/h', 'r--a', withOverlay(false), VARS, ['data']).map((m) => [m.folder, m.lower, m.upper])).toEqual([
      ['data', '/s/data', '/h/instances/r--a/overlay/data/upper'],
    ]);
  });

  it('a recorded folder the manifest no longer shares is refused, naming where the choice came from', () => {
    expect(() => overlayFolders(withOverlay(false), ['nope'])).toThrow(`the instance's shared overlay names "nope", not in shared.mounts`);
    expect(() => overlayFolders(withOverlay(['nope']))).toThrow('shared.overlay names "nope", not in shared.mounts');
  });
});

describe('the choice asked for (create flags, shared overlay on|off)', () => {
  it('checks the folders against shared.mounts', () => {
    expect(overlayChoiceFor(ktrdrPreset, { on: false }, '--shared-overlay')).toBe(false);
    expect(overlayChoiceFor(ktrdrPreset, { on: true }, '--shared-overlay')).toBe(true);
    expect(overlayChoiceFor(ktrdrPreset, { on: true, folders: ['models', 'data', 'models'] }, '--shared-overlay')).toEqual([
      'models',
      'data',
    ]);
    expect(() => overlayChoiceFor(ktrdrPreset, { on: true, folders: ['data', 'x'] }, '--shared-overlay')).toThrow(
      '--shared-overlay names "x", not in shared.mounts',
    );
    expect(() => overlayChoiceFor(noMounts, { on: true }, 'shared overlay')).toThrow(/no shared folders to overlay/);
    expect(overlayChoiceFor(noMounts, { on: false }, 'shared overlay')).toBe(false); // off is always fine
  });

  it('an overlay for a new instance on an ssh engine is refused; off, or the local engine, is fine', () => {
    const far = { context: 'far', endpoint: 'ssh://me@far' };
    expect(() => refuseRemoteChoice('r--a', far, true)).toThrow(
      'The shared overlay of r--a needs the local engine: it would run on far (ssh://me@far)',
    );
    expect(() => refuseRemoteChoice('r--a', far, ['data'])).toThrow(/needs the local engine/);
    expect(() => refuseRemoteChoice('r--a', far, false)).not.toThrow();
    expect(() => refuseRemoteChoice('r--a', { context: null }, true)).not.toThrow();
    expect(() => refuseRemoteChoice('r--a', undefined, true)).not.toThrow();
  });

  it("create's flags", () => {
    expect(overlayRequest(undefined)).toEqual({});
    expect(overlayRequest(true)).toEqual({ sharedOverlay: { on: true } });
    expect(overlayRequest(['data'])).toEqual({ sharedOverlay: { on: true, folders: ['data'] } });
    expect(overlayRequest(false)).toEqual({ sharedOverlay: { on: false } });
  });

  it('shared overlay [ID] on [FOLDER…] | off', () => {
    expect(parseOverlayArgs(['on'])).toEqual({ req: { on: true } });
    expect(parseOverlayArgs(['r--a', 'on', 'data', 'models'])).toEqual({ id: 'r--a', req: { on: true, folders: ['data', 'models'] } });
    expect(parseOverlayArgs(['r--a', 'off'])).toEqual({ id: 'r--a', req: { on: false } });
    expect(() => parseOverlayArgs(['r--a'])).toThrow('shared overlay needs "on" or "off"');
    expect(() => parseOverlayArgs([])).toThrow('shared overlay needs "on" or "off"');
    expect(() => parseOverlayArgs(['a', 'b', 'on'])).toThrow('shared overlay takes one instance, not a b');
    expect(() => parseOverlayArgs(['off', 'data'])).toThrow(/off takes no folder/);
  });
});

describe('setSharedOverlay and status', () => {
  const FIXTURE = readFileSync(join(__dirname, '..', '..', 'fixtures', 'stack', 'docker-compose.sandbox.yml'), 'utf8');
  const dir = '/repos/choice';
  function world(running: boolean) {
    const reg: RegistryData = registryWith(record('ktrdr--c', 1, { path: dir }));
    let writes = 0;
    const engine = new FakeEngine();
    engine.containers = running ? [container('backend', { project: 'ktrdr--c' })] : [];
    const files = new MemoryFiles({ [join(dir, 'docker-compose.sandbox.yml')]: FIXTURE });
    const deps = fakeDeps({
      engine,
      files,
      registry: { file: '/x', read: async () => reg, update: async (fn) => (writes++, fn(reg)) },
      gates: { read: async () => null, write: async () => undefined, remove: async () => undefined },
      http: { get: async () => ({ status: 200, body: '' }) },
    });
    return { reg, deps, files, writes: () => writes };
  }

  it('records the choice; running → says so; off → the writes its overlay left are named, kept', async () => {
    const w = world(true);
    const on = await setSharedOverlay(w.deps, { id: 'ktrdr--c' }, { on: true, folders: ['data'] });
    expect(on).toEqual({ instance: 'ktrdr--c', choice: ['data'], folders: ['data'], running: true, kept: [] });
    expect(w.reg.instances['ktrdr--c']!.sharedOverlay).toEqual(['data']);
    const upper = '/tmp/fake-home/instances/ktrdr--c/overlay/data/upper';
    w.files.put(join(upper, 'x.csv'), '12345');
    w.deps.tree = { walk: async () => [{ path: 'x.csv', type: 'file', size: 5 }] } as never;
    const s = await statusOf(w.deps, { id: 'ktrdr--c' });
    expect(s.instance.sharedOverlay).toEqual(['data']);
    expect(s.sharedData?.map((f) => [f.folder, f.mode, f.source, f.files])).toEqual([
      ['data', 'overlay', 'instance', 1],
      ['models', 'read-write', 'instance', 0],
      ['strategies', 'read-write', 'instance', 0],
    ]);
    expect(s.sharedOverlays?.map((f) => f.folder)).toEqual(['data']);

    const off = await setSharedOverlay(w.deps, { id: 'ktrdr--c' }, { on: false });
    expect(off).toMatchObject({ choice: false, folders: [], running: true, kept: [{ folder: 'data', upper, files: 1, bytes: 5 }] });
    expect(w.reg.instances['ktrdr--c']!.sharedOverlay).toBe(false);
    expect(w.files.exists(join(upper, 'x.csv'))).toBe(true);
  });

  it('status tells a choice from how the running containers mount the folders (until the next up applies it)', async () => {
    const w = world(true);
    const mounts = (data: 'bind' | 'overlay') => [
      data === 'bind'
        ? { type: 'bind' as const, target: '/app/data', source: '/s/data' }
        : { type: 'volume' as const, target: '/app/data', source: 'ktrdr--c_ktrdr-overlay-data' },
      { type: 'bind' as const, target: '/app/models', source: '/s/models' },
    ];
    const backend = (data: 'bind' | 'overlay') => container('backend', { project: 'ktrdr--c', mounts: mounts(data) });
    (w.deps.engine as FakeEngine).containers = [backend('bind'), container('db', { project: 'ktrdr--c', mounts: [] })];
    await setSharedOverlay(w.deps, { id: 'ktrdr--c' }, { on: true, folders: ['data'] });
    const line = async () =>
      (await statusOf(w.deps, { id: 'ktrdr--c' })).sharedData?.map((f) => `${f.folder}:${f.mode}:${f.mounted ?? '-'}`);
    // recorded, not applied: the backend still binds the shared folder itself
    expect(await line()).toEqual(['data:overlay:read-write', 'models:read-write:read-write', 'strategies:read-write:-']);
    // recreated by up: the overlay volume at the same target
    (w.deps.engine as FakeEngine).containers = [backend('overlay')];
    expect(await line()).toEqual(['data:overlay:overlay', 'models:read-write:read-write', 'strategies:read-write:-']);
    // stopped: nothing mounts anything now
    (w.deps.engine as FakeEngine).containers = [{ ...backend('overlay'), state: 'exited' }];
    expect(await line()).toEqual(['data:overlay:-', 'models:read-write:-', 'strategies:read-write:-']);
  });

  it('an unknown folder is refused before the registry is written', async () => {
    const w = world(false);
    await expect(setSharedOverlay(w.deps, { id: 'ktrdr--c' }, { on: true, folders: ['nope'] })).rejects.toThrow(
      'shared overlay names "nope", not in shared.mounts',
    );
    expect(w.writes()).toBe(0);
    expect(w.reg.instances['ktrdr--c']!.sharedOverlay).toBeUndefined();
  });

  it('on, for an instance on an ssh engine → refused like the manifest case, nothing written', async () => {
    const w = world(false);
    const remote = { endpoint: 'ssh://me@far', alive: async () => true, forwarded: () => [], forwardPorts: async () => [] };
    w.deps.remotes = { connect: async () => ({ name: 'far', side: null, remote }) } as never;
    await expect(setSharedOverlay(w.deps, { id: 'ktrdr--c' }, { on: true })).rejects.toThrow(
      'The shared overlay of ktrdr--c needs the local engine: ktrdr--c runs on far (ssh://me@far)',
    );
    expect(w.writes()).toBe(0);
  });

  it('a plain instance: every shared folder read-write, the manifest deciding', async () => {
    const s = await statusOf(world(false).deps, { id: 'ktrdr--c' });
    expect(s.instance.sharedOverlay).toBeUndefined();
    expect(s.sharedData?.map((f) => `${f.folder}:${f.mode}:${f.source}`)).toEqual([
      'data:read-write:manifest',
      'models:read-write:manifest',
      'strategies:read-write:manifest',
    ]);
    expect(s.sharedOverlays).toBeUndefined();
  });
});
