// Pure derivations from registry records + containers: the shapes every surface shows.
import type { Manifest } from './manifest-schema';
import { markPortUsage, visibleLinks } from './reconcile';
import { instanceLinkUrl } from './override/telemetry';
import { expandTemplate, slotPorts } from './ports';
import type { ComposeModel, ContainerInfo, GateReport, InstanceLink, InstanceRecord, InstanceStatus } from '../shared/types';
import type { ContainerCounts, GateSummary, InstanceView } from '../shared/views';

export type { ContainerCounts, GateSummary, InstanceView } from '../shared/views';
export { relativeTime } from '../shared/format';
export { healthLabel, provenReadyServices } from '../shared/health';
import { provenReadyServices } from '../shared/health';

/**
 * provenReady: services the last PASSED gate found ready by running their own healthcheck. Docker says
 * `starting` for them until its next interval (up to 30 s in KTRDR's file); counting them as starting would
 * show "2/9 healthy" beside "gate PASSED". Docker's `unhealthy` always counts as not healthy.
 */
export function countContainers(
  containers: ContainerInfo[],
  expected: number,
  provenReady: ReadonlySet<string> = new Set(),
): ContainerCounts {
  const own = containers.filter((c) => !c.oneOff);
  const running = own.filter((c) => c.state === 'running').length;
  const ok = (c: ContainerInfo) => c.health === 'healthy' || c.health === 'none' || (c.health === 'starting' && provenReady.has(c.service));
  const healthy = own.filter((c) => c.state === 'running' && ok(c)).length;
  return { running, healthy, total: Math.max(expected, own.length) };
}

export function statusOf(dirExists: boolean, counts: ContainerCounts): InstanceStatus {
  if (!dirExists) return 'missing';
  if (counts.running === 0) return 'stopped';
  if (counts.running >= counts.total) return 'running';
  return 'partial';
}

/** The instance's links; with the compose model, only those of services it starts (core/reconcile.ts). */
export function linksFor(manifest: Manifest, vars: Record<string, string>, model?: ComposeModel | null): InstanceLink[] {
  const portVars = manifest.ports.map((p) => p.env);
  return (model ? visibleLinks(manifest, model) : manifest.links).map((l) => ({
    name: l.name,
    label: l.label,
    url: instanceLinkUrl(l, expandTemplate(l.url, vars), portVars, model, vars.INSTANCE_ID),
  }));
}

export function summariseGate(r: GateReport | null): GateSummary | null {
  if (!r) return null;
  return {
    passed: r.passed,
    at: r.startedAt,
    elapsedMs: r.elapsedMs,
    failed: r.checks.filter((c) => c.state === 'failed').map((c) => c.name),
  };
}

export function buildView(opts: {
  rec: InstanceRecord;
  manifest: Manifest;
  vars: Record<string, string>;
  containers: ContainerInfo[];
  expectedServices: number;
  dirExists: boolean;
  lastGate: GateReport | null;
  /** The compose model, when readable: links of absent services hidden, unread port variables marked. */
  model?: ComposeModel | null;
}): InstanceView {
  const counts = countContainers(opts.containers, opts.expectedServices, provenReadyServices(opts.lastGate));
  return {
    id: opts.rec.id,
    path: opts.rec.path,
    slot: opts.rec.slot,
    kind: opts.rec.kind,
    branch: opts.rec.branch,
    createdAt: opts.rec.createdAt,
    status: statusOf(opts.dirExists, counts),
    dirExists: opts.dirExists,
    containers: counts,
    ports: opts.model ? markPortUsage(slotPorts(opts.manifest, opts.rec.slot), opts.model) : slotPorts(opts.manifest, opts.rec.slot),
    links: linksFor(opts.manifest, opts.vars, opts.model),
    lastGate: summariseGate(opts.lastGate),
    servicesDown: servicesDown(opts.containers),
    ...(opts.rec.sharedOverlay !== undefined ? { sharedOverlay: opts.rec.sharedOverlay } : {}),
  };
}

/** Services with containers of which none is running (one-off `run` containers aside). */
export function servicesDown(containers: ContainerInfo[]): string[] {
  const own = containers.filter((c) => !c.oneOff);
  const up = new Set(own.filter((c) => c.state === 'running').map((c) => c.service));
  return [...new Set(own.map((c) => c.service).filter((s) => !up.has(s)))].sort();
}
