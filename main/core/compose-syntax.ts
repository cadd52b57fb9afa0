// Compose's own syntax, as text: port entries ("127.0.0.1:${VAR:-8000}:8000/tcp"), short volume entries, variable references
// (${VAR:-d}, $VAR), and the rewrite of a fixed port into a variable one. Shared by the lint and the derivation.

export interface PortEntry {
  raw: string;
  /** Host IP (null: all interfaces). */
  hostIp: string | null;
  /** Host port or range as written, may hold ${VAR} (null: none published / random host port). */
  published: string | null;
  target: string;
  protocol: string | null;
}

/** Parse a compose port entry: "8000", "5010:5010", "127.0.0.1:${VAR:-8000}:8000", "[::1]:80:80/tcp", ":8000". */
export function parsePortEntry(raw: string): PortEntry {
  let s = raw.trim().replace(/^["']|["']$/g, '');
  let protocol: string | null = null;
  const proto = /\/(tcp|udp|sctp)$/i.exec(s);
  if (proto) {
    protocol = proto[1]!.toLowerCase();
    s = s.slice(0, -proto[0].length);
  }
  const refs: string[] = [];
  s = s.replace(/\$\{[^}]*\}/g, (m) => `\u0000${refs.push(m) - 1}\u0000`);
  // eslint-disable-next-line no-control-regex -- NUL marks the placeholders: it cannot occur in a compose file
  const restore = (x: string) => x.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => refs[Number(i)]!);
  let hostIp: string | null = null;
  let parts: string[];
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = v6[1]!;
    parts = v6[2]!.split(':');
  } else {
    const all = s.split(':');
    if (all.length >= 3) {
      hostIp = all.slice(0, -2).join(':');
      parts = all.slice(-2);
    } else parts = all;
  }
  let published: string | null = null;
  let target: string;
  if (parts.length === 1) target = parts[0]!;
  else {
    published = parts[0]!;
    target = parts[1]!;
  }
  const ip = hostIp === null || hostIp === '' ? null : restore(hostIp);
  const pub = published === null || published.trim() === '' ? null : restore(published);
  return { raw, hostIp: ip, published: pub, target: restore(target), protocol };
}

/** Variable references in a string: ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, $VAR (not $$ escapes). */
export interface VarRef {
  name: string;
  /** ":-" / "-" default, ":?" / "?" required, ":+" / "+" alternative, "" plain. */
  op: string;
  arg: string;
  text: string;
}

export function varRefs(text: string): VarRef[] {
  const out: VarRef[] = [];
  const re = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const m of text.matchAll(re)) {
    if (m[0] === '$$') continue;
    if (m[1]) out.push({ name: m[1], op: m[2] ?? '', arg: m[3] ?? '', text: m[0] });
    else if (m[4]) out.push({ name: m[4], op: '', arg: '', text: m[0] });
  }
  return out;
}

/** A variable name for a fixed port of a service: WEB_PORT, or WEB_PORT_8443 for its second port. */
export function suggestedPortVar(service: string, target: string, many: boolean): string {
  const base =
    service
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'SERVICE';
  const start = /^[0-9]/.test(base) ? `P_${base}` : base;
  return many ? `${start}_PORT_${target.replace(/\D+/g, '_')}` : `${start}_PORT`;
}

/** The rewrite of a fixed-port entry: "8080:80" → "${WEB_PORT:-8080}:80" (host IP and protocol kept). */
export function rewriteFixedPort(raw: string, variable: string): string | null {
  const p = parsePortEntry(raw);
  if (p.published === null || !/^\d+$/.test(p.published.trim())) return null;
  const ip = p.hostIp === null ? '' : p.hostIp.includes(':') ? `[${p.hostIp}]:` : `${p.hostIp}:`;
  return `${ip}\${${variable}:-${p.published.trim()}}:${p.target}${p.protocol ? `/${p.protocol}` : ''}`;
}

/** A short-syntax volume split at its colons — not those inside `${VAR:-default}` / `${VAR:?err}` of a variable. */
export function splitVolumeSpec(v: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '$' && v[i + 1] === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}
