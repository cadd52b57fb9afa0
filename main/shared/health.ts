// A service's readiness as the surfaces say it (node-free: the renderer shows it too). Docker says `starting` for
// a service until its first healthcheck interval (up to 30 s in KTRDR's file), while the gate may already have
// proved it ready by running that healthcheck itself.
import type { GateReport } from './types';

/** Services the gate found ready by their own healthcheck, when that gate passed (see countContainers). */
export function provenReadyServices(report: GateReport | null): Set<string> {
  if (!report?.passed || !report.readiness) return new Set();
  return new Set(
    Object.entries(report.readiness)
      .filter(([, r]) => r.ready && r.source === 'probe')
      .map(([svc]) => svc),
  );
}

/**
 * A service's health as `status` shows it: Docker's word, except for a service the last PASSED gate proved ready by
 * running its own healthcheck while Docker's first check has not come yet (`starting`): both are said.
 */
export function healthLabel(service: string, health: string, provenReady: ReadonlySet<string>): string {
  if (health === 'none') return '-';
  return health === 'starting' && provenReady.has(service) ? 'ready (gate) · Docker: starting' : health;
}
