// Redaction of secret values from text that leaves the tool (evidence bundles, logs, resolved compose config).
// Two layers: (1) every known secret value of the instance, replaced literally wherever it occurs (also
// URL-encoded); (2) anything that looks like a secret assignment — NAME=value, NAME: value, "NAME": "value",
// scheme://user:password@host — where NAME is one of the instance's secret names or contains PASSWORD,
// SECRET, TOKEN, KEY (as a word part). Pure: no I/O.

export const REDACTED = '[REDACTED]';

/** Name segments that mark a value as secret (matched case-insensitively against the parts of a name). */
const SENSITIVE_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'key',
  'keys',
  'apikey',
  'credential',
  'credentials',
  'privatekey',
  'authorization',
]);

/** A sensitive name whose last part is one of these names a harmless companion (KEY_FILE, TOKEN_URL, KeyError). */
const BENIGN_LAST_WORDS = new Set([
  'file',
  'files',
  'path',
  'dir',
  'url',
  'uri',
  'endpoint',
  'name',
  'type',
  'length',
  'size',
  'count',
  'error',
  'errors',
  'exception',
  'id',
  'ids',
  'format',
  'header',
  'ttl',
  'expiry',
  'expires',
  'required',
]);

/** Split an identifier into lower-case words: KTRDR_DB_PASSWORD → [ktrdr, db, password]; apiKey → [api, key]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Does this variable/key name look like it holds a secret? */
export function isSensitiveName(name: string, extraNames: ReadonlySet<string> = new Set()): boolean {
  if (extraNames.has(name)) return true;
  const words = nameWords(name);
  if (!words.some((w) => SENSITIVE_WORDS.has(w))) return false;
  const last = words[words.length - 1]!;
  return !BENIGN_LAST_WORDS.has(last) || SENSITIVE_WORDS.has(last);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A reference like ${VAR}, ${VAR:-default}, $VAR is not a value: keep it (it shows where the value comes from). */
function isReference(v: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}$/.test(v) || /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v);
}

function keepValue(v: string): boolean {
  const t = v.trim();
  return (
    t === '' ||
    t === REDACTED ||
    t === '""' ||
    t === "''" ||
    t === 'null' ||
    t === '~' ||
    t === 'true' ||
    t === 'false' ||
    isReference(t) ||
    t === '{' ||
    t === '[' ||
    t === '|' ||
    t === '>'
  );
}

export interface RedactorSpec {
  /** Secret values (e.g. from the secret store); each is replaced wherever it occurs. */
  values?: Iterable<string>;
  /** Names that hold secrets even when they do not look like it (manifest secrets.generate, command output). */
  names?: Iterable<string>;
}

export type Redactor = (text: string) => string;

/** Literal values shorter than this are only redacted in assignments (replacing "abc" everywhere ruins text). */
export const MIN_LITERAL_LENGTH = 4;

export function createRedactor(spec: RedactorSpec = {}): Redactor {
  const names = new Set(spec.names ?? []);
  const literals = new Set<string>();
  for (const v of spec.values ?? []) {
    if (typeof v !== 'string' || v.length < MIN_LITERAL_LENGTH) continue;
    literals.add(v);
    const enc = encodeURIComponent(v);
    if (enc !== v) literals.add(enc);
    const json = JSON.stringify(v).slice(1, -1);
    if (json !== v) literals.add(json);
  }
  // longest first, so a secret that contains another is replaced whole
  const ordered = [...literals].sort((a, b) => b.length - a.length);
  const literalRe = ordered.length ? new RegExp(ordered.map(escapeRegExp).join('|'), 'g') : null;
  const sensitive = (n: string) => isSensitiveName(n, names);

  return (text: string): string => {
    if (!text) return text;
    let out = literalRe ? text.replace(literalRe, REDACTED) : text;
    out = redactAssignments(out, sensitive);
    return out;
  };
}

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.-]*`;

/** Pattern layer only (names that look sensitive). */
export function redactAssignments(text: string, sensitive: (name: string) => boolean = (n) => isSensitiveName(n)): string {
  let out = text;
  // scheme://user:password@host
  out = out.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:)([^\s@/'"]+)(@)/gi,
    (_m, a: string, _p: string, c: string) => `${a}${REDACTED}${c}`,
  );
  // "NAME": "value"  (JSON)
  out = out.replace(new RegExp(String.raw`("(${NAME})"\s*:\s*)"((?:[^"\\]|\\.)*)"`, 'g'), (m, pre: string, name: string, value: string) =>
    sensitive(name) && !keepValue(value) ? `${pre}"${REDACTED}"` : m,
  );
  // 'NAME': 'value'  (Python reprs)
  out = out.replace(new RegExp(String.raw`('(${NAME})'\s*:\s*)'([^'\n]*)'`, 'g'), (m, pre: string, name: string, value: string) =>
    sensitive(name) && !keepValue(value) ? `${pre}'${REDACTED}'` : m,
  );
  // NAME=value  (env files, shell, `docker inspect` Env entries, command lines, query strings)
  out = out.replace(
    new RegExp(String.raw`(^|[^A-Za-z0-9_.])(${NAME})([ \t]*=[ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',;&]*)`, 'gm'),
    (m, lead: string, name: string, eq: string, value: string) => {
      if (!sensitive(name) || (name.includes('.') && !sensitive(name.split('.').pop()!))) return m;
      const bare = value.replace(/^(["'])(.*)\1$/s, '$2');
      if (keepValue(bare)) return m;
      const q = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${lead}${name}${eq}${q}${REDACTED}${q}`;
    },
  );
  // NAME: value  (YAML, logs) — quoted value, or the rest of the line
  out = out.replace(
    new RegExp(String.raw`(^|[\s{,\-])(${NAME})(:[ \t]+)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\n]*)`, 'gm'),
    (m, lead: string, name: string, colon: string, value: string) => {
      if (!sensitive(name)) return m;
      const bare = value.trim().replace(/^(["'])(.*)\1$/s, '$2');
      if (keepValue(bare) || bare.startsWith(REDACTED)) return m;
      const q = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${lead}${name}${colon}${q}${REDACTED}${q}`;
    },
  );
  return out;
}

/** Redact every string inside a JSON-able value (keys whose name is sensitive get their string values redacted too). */
export function redactDeep<T>(value: T, redact: Redactor, sensitive: (name: string) => boolean = (n) => isSensitiveName(n)): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined && sensitive(key) && !keepValue(v) ? REDACTED : redact(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value) as T;
}
