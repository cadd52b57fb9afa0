// Mapping of the engine's container list entries (and events) to the domain types.
import type { EngineEvent } from '../core/deps';
import type { ContainerHealth, ContainerInfo, ContainerMount, ContainerState, PublishedPort } from '../shared/types';
import { LABEL_INSTANCE, LABEL_OWNER } from '../core/labels';

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_SERVICE = 'com.docker.compose.service';
export const LABEL_ONEOFF = 'com.docker.compose.oneoff';
export const LABEL_WORKING_DIR = 'com.docker.compose.project.working_dir';

/** The list endpoint has no health field; the human status carries it. */
export function healthFromStatus(status: string): ContainerHealth {
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return 'none';
}

const STATES: ReadonlySet<string> = new Set<ContainerState>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

export function toContainerState(state: string | undefined): ContainerState {
  const s = (state ?? '').toLowerCase();
  return STATES.has(s) ? (s as ContainerState) : 'dead';
}

/** The subset of GET /containers/json we read. */
export interface RawContainer {
  Id: string;
  Names?: string[] | null;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type?: string }> | null;
  Mounts?: Array<{ Type?: string; Name?: string; Source?: string; Destination?: string }> | null;
}

/** Binds (by host path) and volumes (by name); tmpfs and the like are left out. */
function mountsOf(c: RawContainer): ContainerMount[] {
  const out: ContainerMount[] = [];
  for (const m of c.Mounts ?? []) {
    if (!m.Destination) continue;
    if (m.Type === 'bind' && m.Source) out.push({ type: 'bind', target: m.Destination, source: m.Source });
    else if (m.Type === 'volume' && m.Name) out.push({ type: 'volume', target: m.Destination, source: m.Name });
  }
  return out;
}

export function toContainerInfo(c: RawContainer): ContainerInfo {
  const labels = c.Labels ?? {};
  const status = c.Status ?? '';
  const ports: PublishedPort[] = [];
  for (const p of c.Ports ?? []) {
    if (p.PublicPort === undefined || p.PublicPort === null || p.PublicPort === 0) continue;
    ports.push({ hostIp: p.IP ?? '', hostPort: p.PublicPort, containerPort: p.PrivatePort });
  }
  ports.sort(
    (a, b) => a.containerPort - b.containerPort || a.hostPort - b.hostPort || (a.hostIp < b.hostIp ? -1 : a.hostIp > b.hostIp ? 1 : 0),
  );
  const info: ContainerInfo = {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    project: labels[LABEL_PROJECT] ?? '',
    service: labels[LABEL_SERVICE] ?? '',
    state: toContainerState(c.State),
    status,
    health: healthFromStatus(status),
    ports,
    oneOff: labels[LABEL_ONEOFF] === 'True',
  };
  const wd = labels[LABEL_WORKING_DIR];
  if (wd) info.workingDir = wd;
  if (c.Mounts) info.mounts = mountsOf(c);
  const instance = labels[LABEL_INSTANCE];
  if (instance) info.instance = instance;
  const owner = labels[LABEL_OWNER];
  if (owner) info.owner = owner;
  return info;
}

/** A decoded /events message for a compose container, or null when it is something else. */
export function toEngineEvent(msg: unknown): EngineEvent | null {
  if (msg === null || typeof msg !== 'object') return null;
  const m = msg as {
    Type?: string;
    Action?: string;
    status?: string;
    id?: string;
    Actor?: { ID?: string; Attributes?: Record<string, string> };
  };
  if (m.Type !== undefined && m.Type !== 'container') return null;
  const attrs = m.Actor?.Attributes ?? {};
  const project = attrs[LABEL_PROJECT];
  if (!project) return null;
  return {
    project,
    service: attrs[LABEL_SERVICE] ?? '',
    action: m.Action ?? m.status ?? '',
    containerId: m.Actor?.ID ?? m.id ?? '',
  };
}
