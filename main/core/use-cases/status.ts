// status: one instance in detail — containers per service with health, each HTTP endpoint probed once, URLs.
import type { Deps } from '../deps';
import { expandTemplate } from '../ports';
import { resolveInstance, loadInstance, type InstanceRef } from '../resolve';
import { viewOf } from './list';
import type { ServiceStatus, EndpointStatus, StatusResult } from '../results';
export type { ServiceStatus, EndpointStatus, StatusResult } from '../results';


export async function statusOf(deps: Deps, ref: InstanceRef): Promise<StatusResult> {
  const rec = await resolveInstance(deps, ref);
  const [containers, ctx] = await Promise.all([deps.engine.listContainers({ projects: [rec.id], all: true }), loadInstance(deps, rec)]);
  const own = containers.filter((c) => !c.oneOff);
  const view = await viewOf(deps, rec, own);
  const services: ServiceStatus[] = own
    .map((c) => ({ service: c.service, state: c.state, health: c.health, status: c.status, ports: c.ports.map((p) => p.hostPort) }))
    .sort((a, b) => a.service.localeCompare(b.service));
  const httpChecks = ctx.manifest.gate.checks.filter((c): c is Extract<typeof c, { http: unknown }> => 'http' in c);
  const endpoints = view.status === 'stopped' || view.status === 'missing'
    ? []
    : await Promise.all(
        httpChecks.map(async (c): Promise<EndpointStatus> => {
          const url = expandTemplate(c.http.url, ctx.vars);
          try {
            const res = await deps.http.get(url, 1000);
            const ok = c.http.status.includes(res.status);
            let detail = `HTTP ${res.status}`;
            if (ok && c.http.minItems !== undefined) {
              const n = countList(res.body, c.http.itemsKey);
              detail = `${n ?? '?'} registered`;
              return { name: c.name, label: c.label ?? c.name, url, ok: n !== null && n >= c.http.minItems, detail };
            }
            return { name: c.name, label: c.label ?? c.name, url, ok, detail };
          } catch (err) {
            return { name: c.name, label: c.label ?? c.name, url, ok: false, detail: (err as Error).name === 'TimeoutError' ? 'no answer' : 'not responding' };
          }
        }),
      );
  return { instance: view, services, endpoints, lastGate: await deps.gates.read(rec.id) };
}

function countList(body: string, key?: string): number | null {
  try {
    const data = JSON.parse(body) as unknown;
    if (Array.isArray(data)) return data.length;
    const v = key ? (data as Record<string, unknown>)[key] : undefined;
    return Array.isArray(v) ? v.length : null;
  } catch {
    return null;
  }
}
