// Zero configuration: the manifest of a Compose repository that has none, derived from its compose file(s).
// Pure (texts and a YAML parser in, a manifest out), so it is unit-tested and written out by `manifest init`.
//
// Rules (README "Zero configuration"):
// - every host port written ${VAR:-default} or ${VAR-default} is a slot port: slot 0 = the default, slot N =
//   default + N·stride. Strides are chosen so that every port of slots 0–10 is pairwise distinct and < 65536
//   (the defaults and the fixed host ports are reserved first; each port then takes the first stride of 1, 10,
//   100, 1000, 2, 3, … whose ten slot ports are all free) — `ports --check` proves it. A fixed host port is not in the slot map:
//   the compose lint reports it with the exact rewrite.
// - gate: the containers check gates every service (of a plain `up`, no profile) that has a healthcheck or
//   publishes a port; each slot port of a service WITHOUT a healthcheck gets a probe: HTTP when the port
//   looks like HTTP (see isHttpPort), else TCP.
// - links: every slot port that looks like HTTP.
import type { YamlParse } from './compose-model';
import { composeModelFromTexts } from './compose-model-parse';
import { parsePortEntry, rewriteFixedPort, suggestedPortVar, varRefs } from './compose-syntax';
export { rewriteFixedPort, suggestedPortVar } from './compose-syntax';
import type { GateCheckSpec, Manifest, PortSpec } from './manifest-schema';
import { MAX_SLOT } from '../shared/types';

/** Container ports that speak HTTP in the common images and frameworks. */
export const HTTP_CONTAINER_PORTS = [80, 3000, 4200, 5000, 5173, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9090, 15672, 16686];
/** Service names that are HTTP front ends whatever their port. */
export const HTTP_SERVICE_NAME = /^(web|www|site|frontend|front|ui|app|api|http|nginx|httpd|caddy|grafana|jaeger|prometheus)([-_].*)?$/i;
/** Statuses that prove an HTTP server answers (a 404 at "/" is still a server). */
export const HTTP_UP_STATUSES = [200, 201, 202, 204, 301, 302, 303, 307, 308, 401, 403, 404];

const STRIDE_CANDIDATES = [1, 10, 100, 1000];

export interface DerivedPort {
  spec: PortSpec;
  service: string;
  /** The container port, as written. */
  target: string;
  http: boolean;
}

export interface DerivationNote {
  kind: 'fixed-port' | 'no-default' | 'duplicate-default' | 'out-of-range' | 'conflicting-default';
  service: string;
  message: string;
  /** The exact rewrite of the compose entry, when there is one. */
  rewrite?: { from: string; to: string };
}

export interface DerivedManifest {
  manifest: Manifest;
  ports: DerivedPort[];
  notes: DerivationNote[];
}

/** Whether a published port is probably HTTP: its container port is a known HTTP port, or its service is named like a web front end. */
export function isHttpPort(service: string, target: string): boolean {
  const n = Number(/^\d+/.exec(target)?.[0]);
  return HTTP_CONTAINER_PORTS.includes(n) || HTTP_SERVICE_NAME.test(service);
}

/**
 * Strides for ports whose slot-0 values are given: every port of slots 0..MAX_SLOT distinct, ≤ 65535, and off
 * the reserved ports (the file's fixed host ports).
 */
export function chooseStrides(defaults: number[], reserved: number[] = []): (number | null)[] {
  const taken = new Set([...defaults, ...reserved]);
  return defaults.map((d) => {
    const fits = (s: number) => {
      if (d + MAX_SLOT * s > 65535) return false;
      for (let n = 1; n <= MAX_SLOT; n++) if (taken.has(d + n * s)) return false;
      return true;
    };
    let stride: number | null = STRIDE_CANDIDATES.find(fits) ?? null;
    for (let s = 2; stride === null && d + MAX_SLOT * s <= 65535; s++) if (fits(s)) stride = s;
    if (stride !== null) for (let n = 1; n <= MAX_SLOT; n++) taken.add(d + n * stride);
    return stride;
  });
}

/**
 * files: the compose files as the manifest names them (relative to the repository); texts: their contents,
 * in the same order (later files override earlier ones, like compose).
 */
export function deriveManifest(files: string[], texts: string[], parseYaml: YamlParse): DerivedManifest {
  const model = composeModelFromTexts(files, texts, parseYaml);
  const notes: DerivationNote[] = [];
  type Candidate = { env: string; slot0: number; service: string; target: string };
  const candidates: Candidate[] = [];
  const fixedHostPorts: number[] = [];
  const byEnv = new Map<string, Candidate>();
  const services = Object.values(model.services);

  for (const s of services) {
    const fixed = s.ports.map(parsePortEntry).filter((p) => p.published !== null && varRefs(p.published).length === 0);
    for (const raw of s.ports) {
      const p = parsePortEntry(raw);
      if (p.published === null) continue; // container port only: compose picks a free host port
      const refs = varRefs(p.published);
      if (refs.length === 0) {
        if (/^\d+$/.test(p.published.trim())) fixedHostPorts.push(Number(p.published.trim()));
        const variable = suggestedPortVar(s.name, p.target, fixed.length > 1);
        const to = rewriteFixedPort(raw, variable);
        notes.push({
          kind: 'fixed-port',
          service: s.name,
          message: `service "${s.name}" publishes the fixed host port ${p.published}: two instances would collide`,
          ...(to ? { rewrite: { from: raw, to } } : {}),
        });
        continue;
      }
      const ref = refs[0]!;
      if (refs.length > 1 || ref.text !== p.published.trim() || (ref.op !== ':-' && ref.op !== '-') || !/^\d+$/.test(ref.arg)) {
        notes.push({
          kind: 'no-default',
          service: s.name,
          message: `service "${s.name}" publishes "${raw}": not a \${VAR:-port} default, so it is not in the slot map (write "\${${ref.name}:-PORT}:${p.target}")`,
        });
        continue;
      }
      const slot0 = Number(ref.arg);
      const prev = byEnv.get(ref.name);
      if (prev) {
        if (prev.slot0 !== slot0) {
          notes.push({
            kind: 'conflicting-default',
            service: s.name,
            message: `\${${ref.name}} has the default ${prev.slot0} in "${prev.service}" and ${slot0} in "${s.name}": ${prev.slot0} is used`,
          });
        }
        continue;
      }
      const c = { env: ref.name, slot0, service: s.name, target: p.target };
      byEnv.set(ref.name, c);
      candidates.push(c);
    }
  }

  // equal defaults cannot both be slot 0's port
  const seenDefault = new Map<number, Candidate>();
  const kept = candidates.filter((c) => {
    const other = seenDefault.get(c.slot0);
    if (other) {
      notes.push({
        kind: 'duplicate-default',
        service: c.service,
        message: `\${${c.env}} and \${${other.env}} both default to ${c.slot0}: \${${c.env}} is left out of the slot map`,
      });
      return false;
    }
    seenDefault.set(c.slot0, c);
    return true;
  });
  const strides = chooseStrides(
    kept.map((c) => c.slot0),
    fixedHostPorts,
  );

  const perService = new Map<string, number>();
  for (const c of kept) perService.set(c.service, (perService.get(c.service) ?? 0) + 1);
  const names = new Set<string>();
  const unique = (n: string) => {
    let name = n;
    for (let i = 2; names.has(name); i++) name = `${n}-${i}`;
    names.add(name);
    return name;
  };
  const ports: DerivedPort[] = [];
  kept.forEach((c, i) => {
    const step = strides[i];
    if (step === null || step === undefined) {
      notes.push({
        kind: 'out-of-range',
        service: c.service,
        message: `\${${c.env}} (default ${c.slot0}): no stride keeps slots 0–${MAX_SLOT} below 65536 and apart from the other ports`,
      });
      return;
    }
    const name = unique((perService.get(c.service) ?? 0) > 1 ? `${c.service}-${c.target.replace(/\D+/g, '')}` : c.service);
    ports.push({
      spec: { name, env: c.env, slot0: c.slot0, base: c.slot0, step, service: c.service },
      service: c.service,
      target: c.target,
      http: isHttpPort(c.service, c.target),
    });
  });

  const started = services.filter((s) => s.profiles.length === 0);
  const startedNames = new Set(started.map((s) => s.name));
  const healthchecked = new Set(started.filter((s) => s.hasHealthcheck).map((s) => s.name));
  const checks: GateCheckSpec[] = [];
  for (const p of ports) {
    if (!startedNames.has(p.service) || healthchecked.has(p.service)) continue;
    const label = `${p.spec.name} answers ${p.http ? 'HTTP' : 'TCP'}`;
    checks.push(
      p.http
        ? {
            name: `${p.spec.name}-http`,
            label,
            http: { url: `http://127.0.0.1:\${${p.spec.env}}/`, status: [...HTTP_UP_STATUSES] },
            service: p.service,
            dependsOn: [],
          }
        : { name: `${p.spec.name}-tcp`, label, tcp: { host: '127.0.0.1', port: `\${${p.spec.env}}` }, service: p.service, dependsOn: [] },
    );
  }
  const publishing = started.filter((s) => s.ports.some((raw) => parsePortEntry(raw).published !== null)).map((s) => s.name);
  const gated = started.filter((s) => healthchecked.has(s.name) || publishing.includes(s.name)).map((s) => s.name);
  const links = ports
    .filter((p) => p.http && startedNames.has(p.service))
    .map((p) => ({ name: p.spec.name, label: p.spec.name, url: `http://localhost:\${${p.spec.env}}` }));

  const manifest: Manifest = {
    version: 1,
    compose: { files: [...files] },
    ports: ports.map((p) => p.spec),
    links,
    gate: { timeout: 180, interval: 0.25, checks, containers: { gate: gated, ignore: [] } },
    secrets: { generate: [] },
    shared: { mounts: {} },
  };
  return { manifest, ports, notes };
}
