// The resolved compose configuration as ktrdr-sandbox renders it for an evidence bundle: the compose file(s)
// parsed, merged the way compose merges them, every value interpolated, x- extension fields dropped. Pure.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { substitute } from './compose-lint';

/** Parse, merge (later files override earlier ones), interpolate every string value, drop x- extension fields. */
export function renderResolvedCompose(texts: string[], values: Record<string, string>): string {
  let merged: unknown = {};
  for (const text of texts) merged = mergeCompose(merged, parseYaml(text, { merge: true }) ?? {});
  const interpolate = (v: unknown): unknown => {
    if (typeof v === 'string') return substitute(v, values, {});
    if (Array.isArray(v)) return v.map(interpolate);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, interpolate(x)]));
    return v;
  };
  const doc = interpolate(merged) as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (k.startsWith('x-')) delete doc[k];
  return stringifyYaml(doc, { lineWidth: 0 });
}

const OVERRIDE_LISTS = new Set(['command', 'entrypoint', 'test']);

function mergeCompose(a: unknown, b: unknown, key = ''): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (OVERRIDE_LISTS.has(key)) return b;
    const seen = new Set(a.map((x) => JSON.stringify(x)));
    return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? mergeCompose(out[k], v, k) : v;
    return out;
  }
  return b;
}
