import { describe, expect, it } from 'vitest';
import {
  aggregateLabel,
  healthOf,
  menuFor,
  trayIconFor,
  trayTitleFor,
  type MenuItemSpec,
  type TrayAction,
} from '../../../main/app/tray-menu';
import { failingGate, snapshot, stopped, view } from './fixtures';

const opts = { startAtLogin: false, platform: 'linux' as NodeJS.Platform };

function find(items: MenuItemSpec[], label: string): MenuItemSpec {
  const found = items.find((i) => i.label === label);
  if (!found) throw new Error(`no item "${label}" in ${items.map((i) => i.label).join(', ')}`);
  return found;
}
function submenuOf(menu: MenuItemSpec[], id: string): MenuItemSpec[] {
  const sub = menu.find((i) => i.type === 'submenu' && i.label?.endsWith(` ${id}`));
  if (!sub?.submenu) throw new Error(`no submenu for ${id}`);
  return sub.submenu;
}
const labels = (items: MenuItemSpec[]): (string | undefined)[] => items.map((i) => (i.type === 'separator' ? '---' : i.label));
const enabled = (items: MenuItemSpec[], label: string): boolean => find(items, label).enabled;

describe('tray menu: zero instances', () => {
  const s = snapshot();
  const menu = menuFor(s, opts);

  it('says so on top and keeps the app entries', () => {
    expect(labels(menu)).toEqual(['No instances', '---', 'Create instance…', 'Open dashboard', '---', 'Start at login', '---', 'Quit']);
    expect(menu[0]!.enabled).toBe(false);
  });
  it('wires the app actions', () => {
    expect(find(menu, 'Create instance…').action).toEqual({ kind: 'create' });
    expect(find(menu, 'Open dashboard').action).toEqual({ kind: 'openDashboard' });
    expect(find(menu, 'Quit').action).toEqual({ kind: 'quit' });
  });
  it('shows "Start at login" as a checkbox reflecting the setting', () => {
    expect(find(menu, 'Start at login')).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'toggleStartAtLogin' } });
    expect(find(menuFor(s, { ...opts, startAtLogin: true }), 'Start at login').checked).toBe(true);
  });
  it('names the app in Quit on macOS', () => {
    expect(menuFor(s, { ...opts, platform: 'darwin' }).at(-1)!.label).toBe('Quit KTRDR Sandbox');
  });
  it('has an idle icon and no title', () => {
    expect(trayIconFor(s)).toBe('idle');
    expect(trayTitleFor(s)).toBe('');
  });
  it('is plain serialisable data', () => {
    expect(JSON.parse(JSON.stringify(menu))).toEqual(menu);
  });
});

describe('tray menu: Docker down', () => {
  const s = snapshot({
    engine: { state: 'down', endpoint: 'unix:///var/run/docker.sock', message: 'connect ENOENT', retryInMs: 2000 },
    instances: [view('feat-a'), stopped('feat-b')],
  });
  const menu = menuFor(s, opts);

  it('says Docker is not running on top', () => {
    expect(menu[0]).toEqual({ type: 'normal', label: 'Docker not running — retrying', enabled: false });
    expect(aggregateLabel(s)).toBe('Docker not running — retrying');
  });
  it('still lists the registered instances but allows no lifecycle action', () => {
    for (const id of ['feat-a', 'feat-b']) {
      const sub = submenuOf(menu, id);
      expect(enabled(sub, 'Start')).toBe(false);
      expect(enabled(sub, 'Stop')).toBe(false);
      expect(enabled(sub, 'Restart')).toBe(false);
      expect(enabled(sub, 'Open folder')).toBe(true);
    }
  });
  it('shows the down icon and no title', () => {
    expect(trayIconFor(s)).toBe('down');
    expect(trayTitleFor(s)).toBe('');
  });
  it('reads "Connecting to Docker…" before the first answer', () => {
    expect(aggregateLabel(snapshot({ engine: { state: 'connecting', endpoint: 'x' } }))).toBe('Connecting to Docker…');
  });
});

describe('tray menu: an instance whose own engine does not answer', () => {
  const s = snapshot({
    instances: [
      view('feat-a'),
      view('lab', { engineName: 'lab', engineStatus: { name: 'lab', reachable: false, error: 'ssh: connect refused' } }),
    ],
  });
  const menu = menuFor(s, opts);

  it('says so in its status line and allows it no lifecycle action (the other instance keeps them)', () => {
    const sub = submenuOf(menu, 'lab');
    // the last listing had it running: what runs now is not known, so neither is said
    expect(sub[0]!.label).toBe('Unknown · slot 1 · engine lab unreachable');
    for (const label of ['Start', 'Stop', 'Restart', 'Open API docs']) expect(enabled(sub, label), label).toBe(false);
    expect(enabled(sub, 'Open folder')).toBe(true);
    expect(enabled(submenuOf(menu, 'feat-a'), 'Stop')).toBe(true);
  });
  it('marks and counts it apart: not stopped, as its containers are not seen', () => {
    expect(menu.filter((i) => i.type === 'submenu').map((i) => i.label)).toEqual(['● feat-a', '◌ lab']);
    expect(aggregateLabel(s)).toBe('1 running · 1 unreachable');
    expect(trayIconFor(s)).toBe('running');
  });
});

describe('tray menu: one running, one failing gate, one starting, one stopped', () => {
  const s = snapshot({
    instances: [view('feat-a', { slot: 1 }), failingGate('feat-b', 3), stopped('feat-c', 4), stopped('feat-d', 5)],
    busy: { 'feat-c': 'starting' },
  });
  const menu = menuFor(s, opts);

  it('aggregates on top', () => {
    expect(menu[0]!.label).toBe('1 running · 1 failing · 1 starting · 1 stopped');
    expect(menu[0]!.enabled).toBe(false);
  });
  it('has one submenu per instance, marked with its health', () => {
    const subs = menu.filter((i) => i.type === 'submenu').map((i) => i.label);
    expect(subs).toEqual(['● feat-a', '▲ feat-b', '◐ feat-c', '○ feat-d']);
  });
  it('lays out an instance submenu', () => {
    expect(labels(submenuOf(menu, 'feat-a'))).toEqual([
      'Running · slot 1 · 6/6 healthy',
      'Branch feat-a',
      'Gate passed (42.0 s)',
      '---',
      'Start',
      'Stop',
      'Restart',
      '---',
      'Open API docs',
      'Open Grafana',
      'Open Jaeger',
      'Open Prometheus',
      '---',
      'Open folder',
      'Open in terminal',
      'Copy env',
    ]);
    expect(
      submenuOf(menu, 'feat-a')
        .slice(0, 3)
        .every((i) => !i.enabled),
    ).toBe(true);
  });
  it('enables Start/Stop/Restart by status', () => {
    const running = submenuOf(menu, 'feat-a');
    expect([enabled(running, 'Start'), enabled(running, 'Stop'), enabled(running, 'Restart')]).toEqual([false, true, true]);
    const idle = submenuOf(menu, 'feat-d');
    expect([enabled(idle, 'Start'), enabled(idle, 'Stop'), enabled(idle, 'Restart')]).toEqual([true, false, false]);
  });
  it('disables every lifecycle action while the instance is busy, and says what it is doing', () => {
    const busy = submenuOf(menu, 'feat-c');
    expect(busy[0]!.label).toBe('Starting… · slot 4 · 0/6 healthy');
    expect([enabled(busy, 'Start'), enabled(busy, 'Stop'), enabled(busy, 'Restart')]).toEqual([false, false, false]);
  });
  it('shows the failed checks of a failing gate', () => {
    expect(submenuOf(menu, 'feat-b')[2]!.label).toBe('Gate failed: backend, workers');
  });
  it('links are exactly the instance links and only enabled while it runs', () => {
    for (const v of s.instances) {
      const sub = submenuOf(menu, v.id);
      const urls = sub.filter((i) => i.action?.kind === 'openLink').map((i) => (i.action as Extract<TrayAction, { kind: 'openLink' }>).url);
      expect(urls).toEqual(v.links.map((l) => l.url));
      const up = v.status === 'running';
      expect(sub.filter((i) => i.action?.kind === 'openLink').every((i) => i.enabled === up)).toBe(true);
    }
    expect(find(submenuOf(menu, 'feat-b'), 'Open Grafana').action).toEqual({ kind: 'openLink', url: 'http://localhost:3003' });
  });
  it('routes the instance actions with the instance id', () => {
    const sub = submenuOf(menu, 'feat-d');
    expect(find(sub, 'Start').action).toEqual({ kind: 'up', id: 'feat-d' });
    expect(find(sub, 'Stop').action).toEqual({ kind: 'down', id: 'feat-d' });
    expect(find(sub, 'Restart').action).toEqual({ kind: 'restart', id: 'feat-d' });
    expect(find(sub, 'Open folder').action).toEqual({ kind: 'openFolder', id: 'feat-d' });
    expect(find(sub, 'Open in terminal').action).toEqual({ kind: 'openTerminal', id: 'feat-d' });
    expect(find(sub, 'Copy env').action).toEqual({ kind: 'copyEnv', id: 'feat-d' });
  });
  it('shows busy over failing over running in the icon; title counts instances up', () => {
    expect(trayIconFor(s)).toBe('busy');
    expect(trayIconFor({ ...s, busy: {} })).toBe('failing');
    expect(trayIconFor(snapshot({ instances: [view('a'), stopped('b')] }))).toBe('running');
    expect(trayIconFor(snapshot({ instances: [stopped('a')] }))).toBe('idle');
    expect(trayTitleFor(s)).toBe('2/4');
  });
});

describe('tray menu: edge cases', () => {
  it('treats a partial stack as failing, and Start brings up the rest', () => {
    const v = view('p', { status: 'partial', containers: { running: 4, healthy: 4, total: 6 } });
    const s = snapshot({ instances: [v] });
    expect(healthOf(v, {})).toBe('failing');
    const sub = submenuOf(menuFor(s, opts), 'p');
    expect([enabled(sub, 'Start'), enabled(sub, 'Stop'), enabled(sub, 'Restart')]).toEqual([true, true, true]);
    expect(aggregateLabel(s)).toBe('1 failing');
  });
  it('disables everything needing the directory when it is missing', () => {
    const v = view('gone', { status: 'missing', dirExists: false, containers: { running: 0, healthy: 0, total: 0 } });
    const sub = submenuOf(menuFor(snapshot({ instances: [v] }), opts), 'gone');
    expect(sub[0]!.label).toBe('Directory missing · slot 1');
    for (const l of ['Start', 'Stop', 'Restart', 'Open folder', 'Open in terminal', 'Copy env']) expect(enabled(sub, l)).toBe(false);
  });
  it('lists extra links after the named ones and skips absent named links', () => {
    const v = view('x', {
      links: [
        { name: 'grafana', label: 'Grafana', url: 'http://localhost:3001' },
        { name: 'docs', label: 'Docs site', url: 'http://localhost:4000' },
      ],
    });
    const sub = submenuOf(menuFor(snapshot({ instances: [v] }), opts), 'x');
    expect(sub.filter((i) => i.action?.kind === 'openLink').map((i) => i.label)).toEqual(['Open Grafana', 'Open Docs site']);
  });
  it('shows registry problems and unregistered stacks', () => {
    const menu = menuFor(
      snapshot({
        problems: ['registry.json is not valid JSON'],
        orphans: [{ project: 'ktrdr--old', containers: 3, running: 3, workingDir: null }],
      }),
      opts,
    );
    expect(labels(menu)).toContain('⚠ registry.json is not valid JSON');
    expect(labels(menu)).toContain('1 unregistered stack running — see dashboard');
  });
  it('summarises several different busy operations as "busy"', () => {
    const s = snapshot({ instances: [stopped('a'), view('b')], busy: { a: 'starting', b: 'stopping' } });
    expect(aggregateLabel(s)).toBe('2 busy');
  });
});

describe('tray menu: links reconciled with the compose file', () => {
  it('offers no link of a service the compose file does not define (KTRDR with shared observability)', async () => {
    const { parse } = await import('yaml');
    const { composeModelFromTexts } = await import('../../../main/core/compose-model-parse');
    const { buildView } = await import('../../../main/core/views');
    const { ktrdrPreset } = await import('../../../main/core/preset');
    const model = composeModelFromTexts(['/r/docker-compose.sandbox.yml'], ['services:\n  db: {image: x}\n  backend: {image: x}\n'], parse);
    const base = view('cur', { slot: 4 });
    const v = buildView({
      rec: { ...base, repo: '/work/ktrdr' },
      manifest: ktrdrPreset,
      vars: { KTRDR_API_PORT: '8004' },
      containers: [],
      expectedServices: 2,
      dirExists: true,
      lastGate: null,
      model,
    });
    const sub = submenuOf(
      menuFor(snapshot({ instances: [{ ...v, status: 'running', containers: { running: 2, healthy: 2, total: 2 } }] }), opts),
      'cur',
    );
    expect(sub.filter((i) => i.action?.kind === 'openLink').map((i) => i.label)).toEqual(['Open API docs']);
  });
});
