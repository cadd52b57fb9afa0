// The manifest reconciled with the compose file it is given (pure). A preset or manifest names services the
// file may not define (KTRDR's current file has no grafana/jaeger/prometheus: observability is shared) or
// starts only under a profile: their checks are not run but reported skipped with the reason, their links
// are not shown, and port variables the file never reads are marked unused (they keep their place in the
// slot table, so bookmarks of the other ports stay stable).
import type { ComposeModel } from '../shared/types';
import type { GateCheckSpec, Manifest } from './manifest-schema';
import type { SlotPort } from './ports';
import type { CheckResult } from '../shared/types';

/** A check that is not run, and why. */
export interface SkippedCheck {
  name: string;
  label: string;
  service: string | null;
  reason: string;
}

/** Profiles compose activates from the environment (COMPOSE_PROFILES=a,b). */
export function activeProfiles(env: Record<string, string | undefined>): string[] {
  return (env.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function fileNames(model: ComposeModel): string {
  const names = model.files.map((f) => f.split(/[\\/]/).pop() ?? f);
  return names.length ? names.join(' + ') : 'the compose file';
}

/** Why `service` does not run on a plain `up` (null: it does). */
export function serviceAbsence(model: ComposeModel, service: string, profiles: string[] = []): string | null {
  const svc = model.services[service];
  if (!svc) return `service ${service} is not in ${fileNames(model)}`;
  if (svc.profiles.length && !svc.profiles.some((p) => profiles.includes(p))) {
    const list = svc.profiles.map((p) => `"${p}"`).join(', ');
    return `service ${service} is only started under profile ${list}, which is not active`;
  }
  return null;
}

/** The service a check is about: its exec target, or the service an HTTP check names. */
export function checkService(spec: GateCheckSpec): string | null {
  if ('exec' in spec) return spec.exec.service;
  return spec.service ?? null;
}

/**
 * Checks to run, and checks skipped because their service (or a check they depend on) is absent. Checks
 * naming no service are always run. The order of both lists is the manifest's.
 */
export function reconcileChecks(
  checks: GateCheckSpec[],
  model: ComposeModel,
  profiles: string[] = [],
): { run: GateCheckSpec[]; skipped: SkippedCheck[] } {
  const reasons = new Map<string, string>();
  const byName = new Map(checks.map((c) => [c.name, c]));
  const reasonOf = (c: GateCheckSpec, seen: Set<string>): string | null => {
    if (reasons.has(c.name)) return reasons.get(c.name)!;
    const svc = checkService(c);
    let reason = svc ? serviceAbsence(model, svc, profiles) : null;
    if (!reason) {
      for (const d of c.dependsOn) {
        const dep = byName.get(d);
        if (!dep || seen.has(d)) continue;
        const r = reasonOf(dep, new Set([...seen, c.name]));
        if (r) {
          reason = `depends on "${d}", which is skipped (${r})`;
          break;
        }
      }
    }
    if (reason) reasons.set(c.name, reason);
    return reason;
  };
  const run: GateCheckSpec[] = [];
  const skipped: SkippedCheck[] = [];
  for (const c of checks) {
    const reason = reasonOf(c, new Set());
    if (reason) skipped.push({ name: c.name, label: c.label ?? c.name, service: checkService(c), reason });
    else run.push(c);
  }
  return { run, skipped };
}

/** How a skipped check appears in a gate report. */
export function skippedResult(s: SkippedCheck): CheckResult {
  return {
    name: s.name,
    label: s.label,
    state: 'skipped',
    message: `skipped: ${s.reason}`,
    attempts: 0,
    startedAt: 0,
    elapsedMs: 0,
    services: [],
  };
}

/** Place the skipped checks among the run ones, in the manifest's order (the containers check etc. last). */
export function withSkipped(checks: CheckResult[], skipped: CheckResult[], order: string[]): CheckResult[] {
  if (!skipped.length) return checks;
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  return [...checks, ...skipped]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c.name) - rank(b.c.name) || a.i - b.i)
    .map((x) => x.c);
}

/** Services whose ports a link's URL uses (through the slot map): a link is about them. */
export function linkServices(manifest: Pick<Manifest, 'ports'>, url: string): string[] {
  const used = new Set([...url.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? m[2]!));
  return [...new Set(manifest.ports.filter((p) => p.service && used.has(p.env)).map((p) => p.service!))];
}

/** The manifest's links whose services all run (links about no service of the slot map are kept). */
export function visibleLinks(manifest: Pick<Manifest, 'ports' | 'links'>, model: ComposeModel, profiles: string[] = []): Manifest['links'] {
  return manifest.links.filter((l) => linkServices(manifest, l.url).every((s) => serviceAbsence(model, s, profiles) === null));
}

/** Slot ports marked `used: false` when no compose file reads their variable (the others `used: true`). */
export function markPortUsage(ports: SlotPort[], model: ComposeModel): SlotPort[] {
  const read = new Set(model.variables);
  return ports.map((p) => ({ ...p, used: read.has(p.env) }));
}
