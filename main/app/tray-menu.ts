// The tray menu as a PURE function of the live snapshot: plain, serialisable data (no Electron import), so every
// state — Docker down, no instances, a failing gate, an instance starting — is unit-tested as data. tray.ts turns
// these specs into Electron menu templates and routes each item's `action` to the shared dispatch.
import type { Snapshot } from '../shared/contract';
import type { InstanceView } from '../core/views';
import { bucketOf, summaryCounts, type SummaryBucket } from '../shared/summary';
import { engineUnreachable } from '../shared/views';

/** What a click does. tray.ts maps each kind to a contract call, the window, or the app. */
export type TrayAction =
  | { kind: 'up'; id: string }
  | { kind: 'down'; id: string }
  | { kind: 'restart'; id: string }
  | { kind: 'openLink'; url: string }
  | { kind: 'openFolder'; id: string }
  | { kind: 'openTerminal'; id: string }
  | { kind: 'copyEnv'; id: string }
  | { kind: 'create' }
  | { kind: 'openDashboard' }
  | { kind: 'toggleStartAtLogin' }
  | { kind: 'quit' };

export type MenuItemType = 'normal' | 'separator' | 'submenu' | 'checkbox';

export interface MenuItemSpec {
  type: MenuItemType;
  label?: string;
  enabled: boolean;
  checked?: boolean;
  submenu?: MenuItemSpec[];
  action?: TrayAction;
}

export interface TrayMenuOptions {
  startAtLogin: boolean;
  platform: NodeJS.Platform;
}

export type TrayIconState = 'idle' | 'running' | 'failing' | 'busy' | 'down';

/** How one instance reads at a glance: the bucket the dashboard's summary counts it in (main/shared/summary.ts). */
export type InstanceHealth = SummaryBucket;

/** Links with a dedicated, fixed menu entry, in menu order (matched by the manifest's link name). */
export const NAMED_LINKS: readonly { name: string; label: string }[] = [
  { name: 'api', label: 'Open API docs' },
  { name: 'grafana', label: 'Open Grafana' },
  { name: 'jaeger', label: 'Open Jaeger' },
  { name: 'prometheus', label: 'Open Prometheus' },
];

const BUSY_LABELS: Record<string, string> = {
  starting: 'Starting…',
  stopping: 'Stopping…',
  restarting: 'Restarting…',
  destroying: 'Destroying…',
  creating: 'Creating…',
  gate: 'Checking…',
};

export function busyLabel(operation: string): string {
  return BUSY_LABELS[operation] ?? `${operation.charAt(0).toUpperCase()}${operation.slice(1)}…`;
}

/** The busy operation wins, then its own engine not answering, then a failing gate or a dead container. */
export const healthOf: (v: InstanceView, busy: Snapshot['busy']) => InstanceHealth = bucketOf;

const isUp = (v: InstanceView): boolean => v.status === 'running' || v.status === 'partial';

export type Aggregate = Record<InstanceHealth, number> & { total: number };

export function aggregateOf(s: Snapshot): Aggregate {
  return { total: s.instances.length, ...summaryCounts(s.instances, s.busy) };
}

/** The disabled first line of the menu: "2 running · 1 failing", "Docker not running — retrying", "No instances". */
export function aggregateLabel(s: Snapshot): string {
  if (s.engine.state === 'down') return 'Docker not running — retrying';
  if (s.engine.state === 'connecting') return 'Connecting to Docker…';
  const a = aggregateOf(s);
  if (a.total === 0) return 'No instances';
  const parts: string[] = [];
  if (a.running) parts.push(`${a.running} running`);
  if (a.failing) parts.push(`${a.failing} failing`);
  if (a.busy) {
    const ops = new Set(s.instances.map((v) => s.busy[v.id]).filter((o): o is string => Boolean(o)));
    parts.push(
      ops.size === 1
        ? `${a.busy} ${busyLabel([...ops][0]!)
            .replace('…', '')
            .toLowerCase()}`
        : `${a.busy} busy`,
    );
  }
  if (a.unreachable) parts.push(`${a.unreachable} unreachable`);
  if (a.stopped) parts.push(`${a.stopped} stopped`);
  if (a.missing) parts.push(`${a.missing} missing`);
  return parts.join(' · ');
}

export function trayIconFor(s: Snapshot): TrayIconState {
  if (s.engine.state === 'down') return 'down';
  const a = aggregateOf(s);
  if (a.busy) return 'busy';
  if (a.failing) return 'failing';
  if (a.running) return 'running';
  return 'idle';
}

/** Text beside the icon (macOS menu bar): instances up / total, e.g. "2/3"; empty when there is nothing to count. */
export function trayTitleFor(s: Snapshot): string {
  if (s.engine.state !== 'up' || s.instances.length === 0) return '';
  return `${s.instances.filter(isUp).length}/${s.instances.length}`;
}

/** Tooltip: the product name and the aggregate line. */
export function trayTooltipFor(s: Snapshot): string {
  return `KTRDR Sandbox — ${aggregateLabel(s)}`;
}

const STATUS_MARK: Record<InstanceHealth, string> = {
  running: '●',
  failing: '▲',
  busy: '◐',
  unreachable: '◌',
  stopped: '○',
  missing: '✕',
};

function statusLine(v: InstanceView, s: Snapshot): string {
  const op = s.busy[v.id];
  // its own engine not answering: its containers are not seen (state and counts unknown), the card says the same
  if (!op && engineUnreachable(v)) return `Unknown · slot ${v.slot} · engine ${v.engineStatus!.name} unreachable`;
  const state = op
    ? busyLabel(op)
    : v.status === 'missing'
      ? 'Directory missing'
      : `${v.status.charAt(0).toUpperCase()}${v.status.slice(1)}`;
  const containers = v.containers.total > 0 ? ` · ${v.containers.healthy}/${v.containers.total} healthy` : '';
  return `${state} · slot ${v.slot}${containers}`;
}

function gateLine(v: InstanceView): string | null {
  if (!v.lastGate) return null;
  if (v.lastGate.passed) return `Gate passed (${(v.lastGate.elapsedMs / 1000).toFixed(1)} s)`;
  return v.lastGate.failed.length ? `Gate failed: ${v.lastGate.failed.join(', ')}` : 'Gate failed';
}

const info = (label: string): MenuItemSpec => ({ type: 'normal', label, enabled: false });
const separator = (): MenuItemSpec => ({ type: 'separator', enabled: true });
const item = (label: string, action: TrayAction, enabled = true): MenuItemSpec => ({ type: 'normal', label, enabled, action });

export function instanceMenu(v: InstanceView, s: Snapshot): MenuItemSpec {
  const engineUp = s.engine.state === 'up';
  const busy = Boolean(s.busy[v.id]);
  const reachable = !engineUnreachable(v);
  const canAct = engineUp && reachable && !busy && v.status !== 'missing';
  const up = isUp(v);
  const items: MenuItemSpec[] = [info(statusLine(v, s))];
  if (v.branch) items.push(info(`Branch ${v.branch}`));
  const gate = gateLine(v);
  if (gate) items.push(info(gate));
  items.push(
    separator(),
    // "Start" on a partial stack brings up what is missing.
    item('Start', { kind: 'up', id: v.id }, canAct && v.status !== 'running'),
    item('Stop', { kind: 'down', id: v.id }, canAct && up),
    item('Restart', { kind: 'restart', id: v.id }, canAct && up),
    separator(),
  );
  const linksEnabled = reachable && up && v.containers.running > 0;
  const named = new Set(NAMED_LINKS.map((l) => l.name));
  for (const { name, label } of NAMED_LINKS) {
    const link = v.links.find((l) => l.name === name);
    if (link) items.push(item(label, { kind: 'openLink', url: link.url }, linksEnabled));
  }
  for (const link of v.links.filter((l) => !named.has(l.name))) {
    items.push(item(`Open ${link.label}`, { kind: 'openLink', url: link.url }, linksEnabled));
  }
  items.push(
    separator(),
    item('Open folder', { kind: 'openFolder', id: v.id }, v.dirExists),
    item('Open in terminal', { kind: 'openTerminal', id: v.id }, v.dirExists),
    item('Copy env', { kind: 'copyEnv', id: v.id }, v.dirExists),
  );
  return { type: 'submenu', label: `${STATUS_MARK[healthOf(v, s.busy)]} ${v.id}`, enabled: true, submenu: items };
}

export function menuFor(s: Snapshot, opts: TrayMenuOptions): MenuItemSpec[] {
  const menu: MenuItemSpec[] = [info(aggregateLabel(s))];
  for (const p of s.problems) menu.push(info(`⚠ ${p}`));
  if (s.instances.length) {
    menu.push(separator());
    for (const v of s.instances) menu.push(instanceMenu(v, s));
  }
  if (s.orphans.length) {
    menu.push(info(`${s.orphans.length} unregistered stack${s.orphans.length === 1 ? '' : 's'} running — see dashboard`));
  }
  menu.push(
    separator(),
    item('Create instance…', { kind: 'create' }),
    item('Open dashboard', { kind: 'openDashboard' }),
    separator(),
    { type: 'checkbox', label: 'Start at login', enabled: true, checked: opts.startAtLogin, action: { kind: 'toggleStartAtLogin' } },
    separator(),
    item(opts.platform === 'darwin' ? 'Quit KTRDR Sandbox' : 'Quit', { kind: 'quit' }),
  );
  return menu;
}
