// Handlers: thin wrappers over the core — busy marking, progress tagging, refresh, argument checks.
import { fakeEnv } from '../core/memory-files';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLineEvent, Settings, Snapshot } from '../../../main/shared/contract';
import { nodeFiles } from '../../../main/adapters/files';
import { createGateStore } from '../../../main/adapters/gate-store';
import { createRegistryStore } from '../../../main/adapters/registry-store';
import type { Deps, Git } from '../../../main/core/deps';
import type { ProgressEvent } from '../../../main/core/events';
import type { InstanceRecord } from '../../../main/shared/types';
import { createDispatch, createHandlers, type ServiceHandlers } from '../../../main/ui-backend/handlers';
import { createFileSettingsStore } from '../../../main/ui-backend/node-platform';
import type { Platform, StateService } from '../../../main/ui-backend/types';

let root: string;
let deps: Deps;
let state: StateService & { busyLog: [string, string | null][]; refreshes: number; snap: Snapshot };
let platform: Platform & { opened: string[] };
let progress: [string, ProgressEvent][];
let logs: LogLineEvent[];
let h: ServiceHandlers;

function fakeState(): typeof state {
  const snap: Snapshot = {
    engine: { state: 'up', endpoint: 'x', version: '1' },
    instances: [],
    orphans: [],
    busy: {},
    repository: null,
    problems: [],
    updatedAt: 1,
  };
  const s = {
    snap,
    busyLog: [] as [string, string | null][],
    refreshes: 0,
    start: async () => undefined,
    stop: async () => undefined,
    current: () => s.snap,
    onChange: () => () => undefined,
    setBusy(id: string, op: string | null) {
      s.busyLog.push([id, op]);
      const busy = { ...s.snap.busy };
      if (op) busy[id] = op;
      else delete busy[id];
      s.snap = { ...s.snap, busy };
    },
    refresh: async () => {
      s.refreshes++;
      return s.snap;
    },
    engineRequests: () => 0,
  };
  return s;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kts-handlers-'));
  const home = join(root, 'home');
  const git: Partial<Git> = {
    topLevel: async (dir: string) => (dir.startsWith(join(root, 'repo')) ? join(root, 'repo') : null),
    mainRepo: async (dir: string) => dir,
    branchExists: async (_repo: string, b: string) => b === 'main' || b === 'other',
    currentBranch: async () => 'main',
  };
  deps = {
    registry: createRegistryStore(home),
    gates: createGateStore(home),
    git,
    files: nodeFiles,
    env: fakeEnv(),
    home,
    sharedHome: join(root, 'shared'),
  } as unknown as Deps;
  await mkdir(join(root, 'repo'), { recursive: true });
  state = fakeState();
  platform = {
    opened: [],
    openExternal: async (u) => void platform.opened.push(`url:${u}`),
    openPath: async (p) => void platform.opened.push(`path:${p}`),
    openTerminal: async (p) => void platform.opened.push(`term:${p}`),
    copyText: async () => false,
    settings: createFileSettingsStore(join(home, 'dashboard-settings.json')),
  };
  progress = [];
  logs = [];
  h = createHandlers({ deps, state, platform, emitProgress: (op, e) => progress.push([op, e]), emitLog: (e) => logs.push(e) });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function register(id: string, slot: number): Promise<InstanceRecord> {
  const path = join(root, id);
  await mkdir(path, { recursive: true });
  const rec: InstanceRecord = {
    id,
    path,
    slot,
    kind: 'worktree',
    repo: join(root, 'repo'),
    branch: id,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  await deps.registry.update((reg) => void (reg.instances[id] = rec));
  return rec;
}

describe('destroyPreview', () => {
  it('answers what destroy would delete, before any click; an unknown id is NOT_FOUND', async () => {
    await expect(h.destroyPreview('ktrdr--nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // a worktree outside create's place (an old entry without origin): registered with init, never deleted
    const rec = await register('by-hand', 3);
    const p = await h.destroyPreview(rec.id);
    expect(p).toMatchObject({ id: rec.id, path: rec.path, origin: 'init', deletesDirectory: false, refused: false, atRisk: [] });
    expect(state.busyLog).toEqual([]); // reads only: not an operation
  });
});

describe('operations', () => {
  it('mark the instance busy around the core call and refresh after it, even when it fails', async () => {
    await expect(h.up('ktrdr--nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(state.busyLog).toEqual([
      ['ktrdr--nope', 'starting'],
      ['ktrdr--nope', null],
    ]);
    expect(state.refreshes).toBe(1);
    await expect(h.down('ktrdr--nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.destroy('ktrdr--nope', { force: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.gate('ktrdr--nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.restart('ktrdr--nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(state.busyLog.filter(([, op]) => op).map(([, op]) => op)).toEqual(['starting', 'stopping', 'destroying', 'gate', 'restarting']);
    expect(state.snap.busy).toEqual({});
  });

  it('refuse a second operation on a busy instance', async () => {
    state.setBusy('ktrdr--a', 'starting');
    await expect(h.down('ktrdr--a')).rejects.toMatchObject({ code: 'STATE', message: '"ktrdr--a" is busy (starting)' });
  });

  it('check their arguments (the HTTP transport passes anything)', async () => {
    await expect(h.up(42 as never)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.up('x', { build: 'yes' } as never)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.up('x', { createExternals: 'yes' } as never)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.destroy('x', [] as never)).rejects.toMatchObject({ code: 'USAGE' });
    expect(state.busyLog).toEqual([]);
  });
});

describe('create', () => {
  it('needs a repository', async () => {
    await expect(h.create({ name: 'feat-a' })).rejects.toMatchObject({ code: 'USAGE', message: 'Choose a repository' });
  });

  it('refuses a branch that could be read as a git option', async () => {
    state.snap = { ...state.snap, repository: join(root, 'repo') };
    await expect(h.create({ name: 'feat-a', branch: '--orphan' })).rejects.toMatchObject({
      code: 'USAGE',
      message: 'Invalid branch name "--orphan": it starts with "-"',
    });
  });
});

describe('checkName', () => {
  it('validates like create and tells the would-be id, path and branch', async () => {
    expect(await h.checkName('bad..name')).toMatchObject({ valid: false, message: expect.stringContaining('Invalid instance name') });
    expect(await h.checkName('feat-a')).toMatchObject({ valid: false, message: 'Choose a repository first (Settings)' });
    state.snap = { ...state.snap, repository: join(root, 'repo') };
    expect(await h.checkName('feat/x')).toEqual({
      name: 'feat/x',
      valid: true,
      id: 'repo--feat-x',
      path: join(root, 'repo--feat-x'),
      branchExists: false,
    });
    // "main" is the main checkout's own branch: the dialog asks for another branch before git refuses
    expect(await h.checkName('main')).toMatchObject({ valid: true, branchExists: true, branchCheckedOutAt: join(root, 'repo') });
    expect(await h.checkName('other')).not.toHaveProperty('branchCheckedOutAt');
    await mkdir(join(root, 'repo--taken'));
    expect(await h.checkName('taken')).toMatchObject({ valid: false, message: `${join(root, 'repo--taken')} already exists` });
  });
});

describe('slots', () => {
  it('lists 0..10 as free, taken or blacklisted with the API port', async () => {
    await register('ktrdr--a', 1);
    await deps.registry.update((reg) => void (reg.blacklist['3'] = { reason: 'port 8003 is held by nginx', at: 'x' }));
    const slots = await h.slots();
    expect(slots.map((s) => s.slot)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(slots[0]).toEqual({ slot: 0, state: 'free', apiPort: 8000 });
    expect(slots[1]).toEqual({ slot: 1, state: 'taken', holder: 'ktrdr--a', apiPort: 8001 });
    expect(slots[3]).toEqual({ slot: 3, state: 'blacklisted', reason: 'port 8003 is held by nginx', apiPort: 8003 });
    expect(slots[10]).toEqual({ slot: 10, state: 'free', apiPort: 8010 });
  });
});

describe('desktop actions', () => {
  it('open only http(s) links, and instance folders by registry identity', async () => {
    await h.openLink('http://localhost:8001/api/v1/docs');
    await expect(h.openLink('file:///etc/passwd')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.openLink('javascript:alert(1)')).rejects.toMatchObject({ code: 'USAGE' });
    const rec = await register('ktrdr--a', 1);
    await h.openFolder('ktrdr--a');
    await h.openTerminal('ktrdr--a');
    expect(platform.opened).toEqual(['url:http://localhost:8001/api/v1/docs', `path:${rec.path}`, `term:${rec.path}`]);
  });

  it('copyEnv returns export lines of the instance variables', async () => {
    await register('ktrdr--a', 2);
    const text = await h.copyEnv('ktrdr--a');
    expect(text).toMatch(/^export COMPOSE_PROJECT_NAME='?ktrdr--a'?$/m);
    expect(text).toMatch(/^export KTRDR_API_PORT='?8002'?$/m);
    expect(text).not.toMatch(/PASSWORD/);
  });

  it('stops log streams it does not know without failing', async () => {
    await h.stopLogs('logs-unknown');
    expect(h.openLogStreams()).toBe(0);
  });
});

describe('settings', () => {
  it('persist validated values; the repository becomes its git top level and refreshes the state', async () => {
    expect(await h.getSettings()).toEqual({
      repositoryRoot: null,
      theme: 'system',
      startAtLogin: false,
      notifications: true,
    } satisfies Settings);
    const s = await h.setSettings({ repositoryRoot: join(root, 'repo', 'sub'), theme: 'dark' });
    expect(s).toMatchObject({ repositoryRoot: join(root, 'repo'), theme: 'dark' });
    expect(state.refreshes).toBe(1);
    await expect(h.setSettings({ repositoryRoot: '/definitely/not/a/repo' })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.setSettings({ theme: 'pink' } as never)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(h.setSettings({ admin: true } as never)).rejects.toMatchObject({ code: 'USAGE', message: 'Unknown setting "admin"' });
    // a fresh store reads what was written
    expect(createFileSettingsStore(join(deps.home, 'dashboard-settings.json')).get()).toMatchObject({
      repositoryRoot: join(root, 'repo'),
      theme: 'dark',
    });
  });

  it('answer through the dispatcher with envelopes', async () => {
    const d = createDispatch(h);
    expect(await d('getSettings', [])).toMatchObject({ ok: true, value: { theme: 'system' } });
    expect(await d('setSettings', [{ theme: 'pink' } as never])).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});
