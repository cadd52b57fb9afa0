// The shape of one instance as every surface shows it (built by main/core/views.ts).
import type { InstanceLink, InstanceRecord, InstanceStatus, SlotPort } from './types';
import type { SyncState } from './sync';

export interface ContainerCounts {
  running: number;
  healthy: number;
  total: number;
}

export interface GateSummary {
  passed: boolean;
  at: string;
  elapsedMs: number;
  failed: string[];
}

export interface InstanceView {
  id: string;
  path: string;
  slot: number;
  kind: InstanceRecord['kind'];
  branch: string | null;
  createdAt: string;
  status: InstanceStatus;
  dirExists: boolean;
  containers: ContainerCounts;
  ports: SlotPort[];
  links: InstanceLink[];
  lastGate: GateSummary | null;
  /** Services whose containers exist but none of them runs (their links look down). */
  servicesDown?: string[];
  /** Instances recorded on a named engine (issue 13): which, and whether it answered this listing. */
  engineStatus?: { name: string; reachable: boolean; error?: string };
  /** The engine the instance is recorded on, when it is not the default one (the dashboard's badge). */
  engineName?: string;
  /** Stopped: what it would need on its engine against what is free there now (the verdict `up` would reach). */
  fit?: FitMeter;
  /** Its memory for the dashboard's bar: last measured use against its compose limits or its estimate. */
  memory?: MemoryMeter;
  /** An instance on a remote engine whose source is synced: its background watcher (shared/sync.ts). */
  sync?: SyncState;
  /** Its own shared data overlay choice (registry): true = every shared folder, a list = those, false = none; absent: the manifest decides. */
  sharedOverlay?: boolean | string[];
}

/** Its own engine (a named docker context) did not answer the last listing: no action can reach its containers
 * (the card, the tray menu and Start all / Stop all leave them off alike). */
export function engineUnreachable(v: Pick<InstanceView, 'engineStatus'>): boolean {
  return v.engineStatus?.reachable === false;
}

export interface FitMeter {
  engine: string;
  /** the capacity estimate (last seen, else compose limits, else the default), without the reserve */
  needBytes: number;
  source: 'last-seen' | 'compose-limits' | 'default';
  /** free memory on that engine (at most this when not every container was measured); null: not known */
  freeBytes: number | null;
  /** true fits (with the reserve), false does not, null unknown */
  fits: boolean | null;
}

export interface MemoryMeter {
  /** bytes in use when last measured while running (null: not measured yet) */
  usedBytes: number | null;
  /** ISO time of that measurement */
  measuredAt: string | null;
  /** what the bar is full at: the sum of the compose memory limits, else the capacity estimate */
  ofBytes: number;
  of: 'limit' | 'estimate';
  /** CPU use (% of one CPU) at that measurement, when read */
  cpuPercent?: number;
}
