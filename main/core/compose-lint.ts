// Compose lint for multi-instance safety (pure): container_name, host ports not taken from the slot map (and
// which slot they collide with), ports published on all interfaces, variables the instance leaves unset.
// `doctor` runs it (use-cases/doctor.ts), and `up` runs it briefly before starting (instance-lint.ts).
import type { ComposeModel } from './compose-model';
import type { Manifest } from './manifest-schema';
import { slotPorts } from './ports';
import { MAX_SLOT, MIN_SLOT } from '../shared/types';
import { byText } from './order';
import { parsePortEntry, rewriteFixedPort, suggestedPortVar, varRefs, type VarRef } from './compose-syntax';

/** The exact rewrite of a fixed host port: "8080:80" → "${WEB_PORT:-8080}:80" (null when the port is not a plain number). */
function fixedPortFix(service: string, entries: string[], raw: string, target: string): string | null {
  const fixedCount = entries.filter((e) => {
    const q = parsePortEntry(e);
    return q.published !== null && /^\d+$/.test(q.published.trim());
  }).length;
  const variable = suggestedPortVar(service, target, fixedCount > 1);
  const to = rewriteFixedPort(raw, variable);
  if (!to) return null;
  return `write "${to}" instead of "${raw}": without a ktrdr-sandbox.yml it becomes a slot port (zero config); with one, also add ${variable} to ports:`;
}

export type CheckLevel = 'ok' | 'warning' | 'error';

export interface DoctorCheck {
  name: string;
  level: CheckLevel;
  message: string;
  /** What to do about it. */
  fix?: string;
  service?: string;
  /** --fix repaired it. */
  fixed?: boolean;
}

export type Env = Record<string, string | undefined>;

/** Substitute like compose does (values from vars, then env; defaults when unset/empty). */
export function substitute(text: string, vars: Record<string, string>, env: Env): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, a?: string, op?: string, arg?: string, b?: string) => {
      if (m === '$$') return '$';
      const name = (a ?? b)!;
      const v = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : env[name];
      switch (op) {
        case ':-':
          return v ? v : (arg ?? '');
        case '-':
          return v !== undefined ? v : (arg ?? '');
        case ':+':
          return v ? (arg ?? '') : '';
        case '+':
          return v !== undefined ? (arg ?? '') : '';
        default:
          return v ?? '';
      }
    },
  );
}

/** Ports of "5010" or "5000-5003" (after substitution); [] when not numeric. */
function portsOf(spec: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!m) return [];
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (b < a || b - a > 1000) return [a];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** "slot 1's worker-1 port (KTRDR_WORKER_PORT_1)" for every slot port equal to port. */
export function slotCollisions(manifest: Pick<Manifest, 'ports'>, port: number): string[] {
  const out: string[] = [];
  for (let slot = MIN_SLOT; slot <= MAX_SLOT; slot++) {
    for (const p of slotPorts(manifest, slot)) if (p.port === port) out.push(`slot ${slot}'s ${p.name} port (${p.env})`);
  }
  return out;
}

function isLocalIp(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || ip.startsWith('127.');
}

// ---------------------------------------------------------------------------------------------------------
// The pure lint

export interface LintOptions {
  /** The compose file texts: lets the lint see ${VAR:-default}s and show the offending line. */
  texts?: string[];
  /** Variables provided at `up` besides vars and env (secret names). Default: manifest.secrets.generate. */
  provided?: string[];
}

/**
 * Multi-instance safety of a compose model. vars: what .env.sandbox gives the instance; env: the environment
 * compose runs with (process env). Returns only findings (no "ok" entries).
 */
export function lintCompose(
  model: ComposeModel,
  manifest: Manifest,
  vars: Record<string, string>,
  env: Env,
  opts: LintOptions = {},
): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const slotVars = new Set(manifest.ports.map((p) => p.env));
  const services = Object.values(model.services).sort((a, b) => byText(a.name, b.name));

  for (const s of services) {
    if (s.containerName !== undefined) {
      checks.push({
        name: 'container-name',
        level: 'error',
        service: s.name,
        message: `service "${s.name}" sets container_name: "${s.containerName}" — container names are global, so a second instance cannot create its "${s.containerName}"`,
        fix: `remove container_name from "${s.name}": compose names containers <project>-${s.name}-1, unique per instance`,
      });
    }
  }

  const published = new Map<string, string[]>(); // effective host port (or variable) → services
  for (const s of services) {
    for (const raw of s.ports) {
      const p = parsePortEntry(raw);
      const ip = p.hostIp === null ? null : substitute(p.hostIp, vars, env);
      const allInterfaces = ip === null || ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]';
      if (p.published === null) {
        if (allInterfaces) {
          checks.push({
            name: 'port-binding',
            level: 'warning',
            service: s.name,
            message: `service "${s.name}" publishes container port ${p.target} on a random host port on all interfaces ("${raw}")`,
            fix: `publish it as "127.0.0.1:\${VAR}:${p.target}" with a VAR from the slot map, or use \`expose:\` if only other services need it`,
          });
        }
        continue;
      }
      const refs = varRefs(p.published);
      const single = refs.length === 1 && refs[0]!.text === p.published.trim() ? refs[0]! : null;
      const effective = substitute(p.published, vars, env);
      const ports = portsOf(effective);
      // the same variable, or the same fixed port, published twice
      for (const key of single ? [`\${${single.name}}`] : refs.length ? [] : ports.map(String)) {
        published.set(key, [...(published.get(key) ?? []), s.name]);
      }
      if (single && slotVars.has(single.name)) {
        // from the slot map: every instance gets its own port
      } else {
        const collisions = [...new Set(ports.flatMap((port) => slotCollisions(manifest, port)))];
        const what = refs.length
          ? `host port ${p.published} from ${refs.map((r) => r.name).join(', ')}, which ${refs.length === 1 ? 'is' : 'are'} not in the slot map (every instance gets ${effective || 'an empty port'})`
          : `fixed host port ${p.published}`;
        const clash = collisions.length ? `; it collides with ${collisions.join(', ')}` : '; two instances would publish the same port';
        checks.push({
          name: 'fixed-port',
          level: 'error',
          service: s.name,
          message: `service "${s.name}" publishes ${what} ("${raw}")${clash}`,
          fix:
            (refs.length ? null : fixedPortFix(s.name, s.ports, raw, p.target)) ??
            `publish "127.0.0.1:\${SOME_PORT_VAR}:${p.target}" and add SOME_PORT_VAR to the slot map (ports: in ktrdr-sandbox.yml)`,
        });
      }
      if (allInterfaces) {
        checks.push({
          name: 'port-binding',
          level: 'warning',
          service: s.name,
          message: `service "${s.name}" publishes ${p.published} on all interfaces ("${raw}"): reachable from other machines`,
          fix: `bind it to the loopback interface: "127.0.0.1:${p.published}:${p.target}"`,
        });
      } else if (ip !== null && !isLocalIp(ip)) {
        checks.push({
          name: 'port-binding',
          level: 'warning',
          service: s.name,
          message: `service "${s.name}" publishes ${p.published} on ${ip} ("${raw}"), not on the loopback interface`,
          fix: `bind it to 127.0.0.1`,
        });
      }
    }
  }
  for (const [port, svcs] of published) {
    if (svcs.length > 1) {
      checks.push({
        name: 'duplicate-port',
        level: 'error',
        service: svcs[0],
        message: `host port ${port} is published twice in one instance (services ${svcs.map((x) => `"${x}"`).join(', ')})`,
        fix: 'give each published port its own variable in the slot map',
      });
    }
  }

  // variables the instance leaves unset
  const provided = new Set(opts.provided ?? manifest.secrets.generate);
  const secretsCommand = manifest.secrets.command !== undefined;
  const isSet = (n: string) => Object.prototype.hasOwnProperty.call(vars, n) || env[n] !== undefined || provided.has(n);
  const usages = new Map<string, { refs: VarRef[]; line: string | null }>();
  if (opts.texts) {
    for (const text of opts.texts) {
      for (const line of text.split('\n')) {
        if (line.trim().startsWith('#')) continue;
        for (const r of varRefs(line)) {
          const u = usages.get(r.name) ?? { refs: [], line: null };
          u.refs.push(r);
          if (u.line === null && (r.op === '' || r.op === ':?' || r.op === '?')) u.line = line.trim();
          usages.set(r.name, u);
        }
      }
    }
  } else {
    for (const n of model.variables) usages.set(n, { refs: [{ name: n, op: '', arg: '', text: `\${${n}}` }], line: null });
  }
  for (const [name, u] of [...usages].sort((a, b) => byText(a[0], b[0]))) {
    if (isSet(name)) continue;
    const bad = u.refs.filter((r) => r.op === '' || r.op === ':?' || r.op === '?');
    if (!bad.length) continue; // every use has a default (or is an alternative value)
    const required = bad.some((r) => r.op === ':?' || r.op === '?');
    const example = u.line ? ` — "${u.line}" ${required ? 'stops compose' : `becomes "${substitute(u.line, vars, env)}"`}` : '';
    checks.push({
      name: 'unset-variable',
      level: secretsCommand ? 'warning' : 'error',
      message: `\${${name}} is used by the compose file but the instance leaves it unset and ${required ? 'it is required' : 'it has no default'}${
        required ? '' : ': compose substitutes an empty string (mounts like ":/app/data")'
      }${example}${secretsCommand ? ' (unless the secrets command provides it)' : ''}`,
      fix: `give it a default (\${${name}:-value}), a slot-map or shared-folder variable in ktrdr-sandbox.yml, or list it under secrets.generate`,
    });
  }
  return checks;
}
