// status: one instance in detail — containers per service with health, each HTTP endpoint probed once, URLs.
import type { Deps } from '../deps';
import { expandTemplate } from '../ports';
import type { InstanceRef } from '../resolve';
import { modelOrNull, resolveContext, type InstanceContext } from '../instance-context';
import { defaultServices } from '../compose-model';
import { activeProfiles, reconcileChecks } from '../reconcile';
import { buildView } from '../views';
import type { ServiceStatus, EndpointStatus, StatusResult } from '../../shared/results';
import { byText } from '../order';
import { overlayOnly, sharedDataStatus } from './shared-overlay';
export type { ServiceStatus, EndpointStatus, StatusResult } from '../../shared/results';

export async function statusOf(deps: Deps, ref: InstanceRef): Promise<StatusResult> {
  return statusOfContext(deps, await resolveContext(deps, ref));
}

/** The status of a resolved instance (evidence includes it). */
export async function statusOfContext(deps: Deps, ctx: InstanceContext): Promise<StatusResult> {
  const { rec } = ctx;
  const containers = await ctx.engine.listContainers({ projects: [rec.id], all: true });
  const own = containers.filter((c) => !c.oneOff);
  // the same view as `list` gives (use-cases/list.ts viewOf), from what the context already holds
  const lastGate = await deps.gates.read(rec.id);
  const model = ctx.dirExists ? await modelOrNull(ctx) : null;
  const view = buildView({
    rec,
    manifest: ctx.manifest,
    vars: ctx.vars,
    containers: own,
    expectedServices: model ? defaultServices(model).length : 0,
    dirExists: ctx.dirExists,
    lastGate,
    model,
  });
  const services: ServiceStatus[] = own
    .map((c) => ({ service: c.service, state: c.state, health: c.health, status: c.status, ports: c.ports.map((p) => p.hostPort) }))
    .sort((a, b) => byText(a.service, b.service));
  // The endpoints are probed once the listing says something runs (one engine call, ~ms, before the probes):
  // a stopped instance sends none.
  const running = view.status !== 'stopped' && view.status !== 'missing';
  const endpoints = running ? await probeEndpoints(deps, ctx) : [];
  const remote = ctx.on.remote;
  if (!remote) {
    // every shared folder, overlaid or read-write
    const shared = await sharedDataStatus(deps, ctx, own);
    const overlays = overlayOnly(shared);
    return {
      instance: view,
      services,
      endpoints,
      lastGate,
      ...(overlays.length ? { sharedOverlays: overlays } : {}),
      ...(shared.length ? { sharedData: shared } : {}),
    };
  }
  const mine = new Set(view.ports.map((p) => p.port));
  const engine = {
    name: ctx.on.name,
    endpoint: remote.endpoint,
    tunnel: (await remote.alive()) ? ('up' as const) : ('down' as const),
    forwardedPorts: remote.forwarded().filter((p) => mine.has(p)),
  };
  // the background sync of its source (none for a path-mapped one): also on the view, as `list` and the dashboard show it
  if (rec.engine?.source?.mode === 'path-map') return { instance: view, services, endpoints, lastGate, engine };
  const sync = deps.remotes.sync.read(rec.id);
  if (sync) view.sync = sync;
  return { instance: view, services, endpoints, lastGate, engine, sync };
}

/** Each HTTP check of the gate whose service the compose file starts, probed once (1 s each, all at once); never rejects. */
async function probeEndpoints(deps: Deps, ctx: InstanceContext): Promise<EndpointStatus[]> {
  const model = await modelOrNull(ctx);
  const checks = model ? reconcileChecks(ctx.manifest.gate.checks, model, activeProfiles(deps.env.all())).run : ctx.manifest.gate.checks;
  const httpChecks = checks.filter((c): c is Extract<typeof c, { http: unknown }> => 'http' in c);
  return Promise.all(
    httpChecks.map(async (c): Promise<EndpointStatus> => {
      const url = expandTemplate(c.http.url, ctx.vars);
      try {
        const res = await deps.http.get(url, 1000);
        const ok = c.http.status.includes(res.status);
        if (ok && c.http.minItems !== undefined) {
          const n = countList(res.body, c.http.itemsKey);
          return { name: c.name, label: c.label ?? c.name, url, ok: n !== null && n >= c.http.minItems, detail: `${n ?? '?'} registered` };
        }
        return { name: c.name, label: c.label ?? c.name, url, ok, detail: `HTTP ${res.status}` };
      } catch (err) {
        return {
          name: c.name,
          label: c.label ?? c.name,
          url,
          ok: false,
          detail: /timed out/.test((err as Error).message) ? 'no answer' : 'not responding',
        };
      }
    }),
  );
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
