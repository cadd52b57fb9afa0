// Docker Engine API ≥ 1.44 (Docker 25+) knows healthcheck `start_interval`: while `start_period` runs, the
// check runs every start_interval instead of every interval, and its first success ends the start period.
// So Docker ITSELF reports a service healthy seconds after it is, and compose's `depends_on: service_healthy`
// stops waiting on the 10–30 s interval — with no change after start-up (idle cost stays what the file says).
// This builds the per-instance override fragment for it; older engines get nothing (see README: fastHealth).
import { defaultServices } from '../compose-model';
import type { ComposeModel } from '../../shared/types';
import type { Contribution } from './types';

export const START_INTERVAL_MIN_API = '1.44';
/** How often Docker checks during start-up. */
export const DEFAULT_START_INTERVAL_MS = 1_000;
/** start_interval only acts within start_period: a service without one gets this much. */
export const DEFAULT_START_PERIOD_MS = 60_000;

export interface HealthOverride {
  services: Record<string, { healthcheck: { start_interval: string; start_period?: string } }>;
}

/** "1.41" < "1.44": numeric per part. */
export function apiAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x)) return false;
    if (x !== y) return x > y;
  }
  return true;
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The `services.<name>.healthcheck` fragment adding `start_interval` to every service (of `services`, the ones
 * a plain `up` starts) whose file declares a healthcheck checking less often than that. `start_period` is kept
 * when the file sets one (compose merges the fragment field by field, so it is not repeated), and set to
 * DEFAULT_START_PERIOD_MS when it does not (without it start_interval does nothing). Null below API 1.44,
 * where Docker rejects the field; compose needs v2.20.2+ to pass it on.
 */
export function healthStartIntervalOverride(
  model: ComposeModel,
  services: string[],
  apiVersion: string,
  opts: { startIntervalMs?: number; startPeriodMs?: number } = {},
): HealthOverride | null {
  if (!apiAtLeast(apiVersion, START_INTERVAL_MIN_API)) return null;
  const every = opts.startIntervalMs ?? DEFAULT_START_INTERVAL_MS;
  const out: HealthOverride = { services: {} };
  for (const name of services) {
    const hc = model.services[name]?.healthcheck;
    if (!hc) continue;
    const interval = hc.intervalMs ?? 30_000; // Docker's default
    if (interval <= every) continue;
    out.services[name] = {
      healthcheck: {
        start_interval: duration(every),
        ...(hc.startPeriodMs ? {} : { start_period: duration(opts.startPeriodMs ?? DEFAULT_START_PERIOD_MS) }),
      },
    };
  }
  return Object.keys(out.services).length ? out : null;
}

/**
 * The override's share: `start_interval` for the services' healthchecks when `up` found an engine (API ≥ 1.44)
 * and a compose (v2 ≥ 2.20.2) that take it — remembered with the other override options, so every later
 * command renders the same file and compose never sees a changed configuration.
 */
export const healthContribution: Contribution = {
  name: 'health',
  build({ model, startInterval }) {
    if (!startInterval) return {};
    const names = defaultServices(model).map((s) => s.name);
    return healthStartIntervalOverride(model, names, START_INTERVAL_MIN_API) ?? {};
  },
};

/** compose accepts `start_interval` from v2.20.2 on (v1 rejects the key). */
export function composeTakesStartInterval(variant: 'v1' | 'v2', version: string): boolean {
  return variant === 'v2' && apiAtLeast(version.replace(/^v/, '').split('-')[0]!, '2.20.2');
}
