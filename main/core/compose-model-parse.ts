// Parsing compose files into the light ComposeModel (compose-model.ts reads it, from its cache when the files
// did not change): a module of its own, so that a command finding every model cached never loads it.
import type { ComposeHealthcheck, ComposeModel, ComposeResource, ComposeService, DependsOnCondition } from '../shared/types';
import { SandboxError } from './errors';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** yaml's parse (the caller loads the library): `merge` for compose files' YAML merge keys. */
export type YamlParse = (text: string, options: { merge: boolean }) => unknown;

export function composeModelFromTexts(paths: string[], texts: string[], parseYaml: YamlParse): ComposeModel {
  const services: Record<string, ComposeService> = {};
  const nets = new Set<string>();
  const vols = new Set<string>();
  const vars = new Set<string>();
  const networks: Record<string, ComposeResource> = {};
  const volumes: Record<string, ComposeResource> = {};
  let version: string | undefined;
  texts.forEach((text, idx) => {
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) vars.add(m[1]!);
    let doc: unknown;
    try {
      doc = parseYaml(text, { merge: true });
    } catch (err) {
      throw new SandboxError('STATE', `${paths[idx]} is not valid YAML: ${(err as Error).message}`);
    }
    if (!isObj(doc)) return;
    if (version === undefined && (typeof doc.version === 'string' || typeof doc.version === 'number')) version = String(doc.version);
    if (isObj(doc.services)) {
      for (const [name, raw] of Object.entries(doc.services)) {
        if (!isObj(raw)) continue;
        const prev = services[name];
        const svc: ComposeService = prev ?? { name, profiles: [], ports: [], hasHealthcheck: false };
        if (Array.isArray(raw.profiles)) svc.profiles = raw.profiles.map(String);
        if (Array.isArray(raw.ports)) svc.ports = svc.ports.concat(raw.ports.map(portText));
        if (typeof raw.container_name === 'string') svc.containerName = raw.container_name;
        if (Array.isArray(raw.volumes))
          svc.volumes = (svc.volumes ?? []).concat(raw.volumes.filter((v): v is string | Obj => typeof v === 'string' || isObj(v)));
        if (isObj(raw.healthcheck)) {
          const hc = healthcheckOf(raw.healthcheck, svc.healthcheck);
          const none = Array.isArray(raw.healthcheck.test) && raw.healthcheck.test[0] === 'NONE';
          svc.hasHealthcheck = raw.healthcheck.disable !== true && !none;
          if (hc) svc.healthcheck = hc;
          else delete svc.healthcheck;
        }
        const deps = dependsOnOf(raw.depends_on);
        if (deps) svc.dependsOn = { ...svc.dependsOn, ...deps };
        readServiceNetworks(raw, svc);
        const otel = otelVariables(raw.environment);
        if (otel) svc.otelEnv = { ...svc.otelEnv, ...otel };
        services[name] = svc;
      }
    }
    collectExternal(doc.networks, nets);
    collectExternal(doc.volumes, vols);
    collectResources(doc.networks, networks);
    collectResources(doc.volumes, volumes);
  });
  for (const svc of Object.values(services)) if (svc.networks === undefined) svc.networks = ['default'];
  const model: ComposeModel = {
    files: paths,
    services,
    externalNetworks: [...nets],
    externalVolumes: [...vols],
    variables: [...vars].sort(),
    networks,
    volumes,
  };
  if (version !== undefined) model.version = version;
  return model;
}

/** `networks:` of a service (list or mapping form) and the aliases it declares; later files add to earlier ones. */
function readServiceNetworks(raw: Obj, svc: ComposeService): void {
  const nets = new Set(svc.networks ?? []);
  const aliases = new Set(svc.aliases ?? []);
  if (Array.isArray(raw.networks)) for (const n of raw.networks) nets.add(String(n));
  else if (isObj(raw.networks)) {
    for (const [n, cfg] of Object.entries(raw.networks)) {
      nets.add(n);
      if (isObj(cfg) && Array.isArray(cfg.aliases)) for (const a of cfg.aliases) aliases.add(String(a));
    }
  }
  if (typeof raw.network_mode === 'string') {
    svc.networks = []; // host, none, service:x, container:x: no network of its own
    return;
  }
  if (nets.size) svc.networks = [...nets];
  if (aliases.size) svc.aliases = [...aliases];
}

/** The OTEL_* entries of an `environment:` (mapping or KEY=VALUE list), or undefined when it has none. */
export function otelVariables(env: unknown): Record<string, string | null> | undefined {
  const out: Record<string, string | null> = {};
  if (Array.isArray(env)) {
    for (const e of env) {
      const text = String(e);
      const eq = text.indexOf('=');
      const key = eq < 0 ? text : text.slice(0, eq);
      if (key.startsWith('OTEL_')) out[key] = eq < 0 ? null : text.slice(eq + 1);
    }
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) if (k.startsWith('OTEL_')) out[k] = v === null || v === undefined ? null : String(v);
  }
  return Object.keys(out).length ? out : undefined;
}

function collectResources(section: unknown, into: Record<string, ComposeResource>): void {
  if (!isObj(section)) return;
  for (const [key, raw] of Object.entries(section)) {
    const def = isObj(raw) ? raw : {};
    const external = !!def.external;
    const name =
      isObj(def.external) && typeof def.external.name === 'string'
        ? def.external.name
        : typeof def.name === 'string'
          ? def.name
          : external
            ? key
            : undefined;
    const res: ComposeResource = { key, external, raw: def };
    if (name !== undefined) res.name = name;
    into[key] = res; // compose v1 replaces a definition named again in a later file
  }
}

/** A compose duration ("1m30s", "10s", "500ms", "1h") in ms; undefined when absent or unreadable. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000; // a bare number: seconds
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  let rest = v.trim();
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** The healthcheck of one file merged over the previous files' (compose merges field by field). */
function healthcheckOf(raw: Obj, prev: ComposeHealthcheck | undefined): ComposeHealthcheck | undefined {
  if (raw.disable === true) return undefined;
  const test = Array.isArray(raw.test) ? raw.test.map(String) : typeof raw.test === 'string' ? raw.test : prev?.test;
  if (test === undefined) return undefined; // no test of its own: the image's HEALTHCHECK (not known here)
  if (Array.isArray(test) && (test[0] === 'NONE' || test.length === 0)) return undefined;
  const hc: ComposeHealthcheck = { test };
  const interval = parseDuration(raw.interval) ?? prev?.intervalMs;
  const timeout = parseDuration(raw.timeout) ?? prev?.timeoutMs;
  const startPeriod = parseDuration(raw.start_period) ?? prev?.startPeriodMs;
  const retries = typeof raw.retries === 'number' ? raw.retries : prev?.retries;
  if (interval !== undefined) hc.intervalMs = interval;
  if (timeout !== undefined) hc.timeoutMs = timeout;
  if (retries !== undefined) hc.retries = retries;
  if (startPeriod !== undefined) hc.startPeriodMs = startPeriod;
  return hc;
}

function dependsOnOf(raw: unknown): Record<string, DependsOnCondition> | undefined {
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((d) => [String(d), 'service_started' as const]));
  if (!isObj(raw)) return undefined;
  const out: Record<string, DependsOnCondition> = {};
  for (const [name, v] of Object.entries(raw)) {
    const c = isObj(v) ? v.condition : undefined;
    out[name] = c === 'service_healthy' || c === 'service_completed_successfully' ? c : 'service_started';
  }
  return out;
}

function portText(p: unknown): string {
  if (isObj(p)) {
    if (p.published === undefined || p.published === null || p.published === '') return String(p.target ?? '');
    return `${p.host_ip ? `${String(p.host_ip)}:` : ''}${String(p.published)}:${String(p.target ?? '')}`;
  }
  return String(p);
}

function collectExternal(section: unknown, into: Set<string>): void {
  if (!isObj(section)) return;
  for (const [key, raw] of Object.entries(section)) {
    if (!isObj(raw) || !raw.external) continue;
    const name =
      isObj(raw.external) && typeof raw.external.name === 'string' ? raw.external.name : typeof raw.name === 'string' ? raw.name : key;
    into.add(name);
  }
}
