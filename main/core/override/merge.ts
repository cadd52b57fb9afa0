// Merging contributions: mappings merge key by key (a later contribution wins on a scalar), lists append.
import type { Json, JsonObject, OverrideDoc } from './types';

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeJson(a: Json | undefined, b: Json): Json {
  if (isObject(a) && isObject(b)) {
    const out: JsonObject = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = mergeJson(out[k], v);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b.filter((x) => !a.some((y) => JSON.stringify(y) === JSON.stringify(x)))];
  return b;
}

export function emptyDoc(): OverrideDoc {
  return { services: {}, networks: {}, volumes: {} };
}

export function mergeDoc(into: OverrideDoc, part: Partial<OverrideDoc>): OverrideDoc {
  for (const section of ['services', 'networks', 'volumes'] as const) {
    for (const [key, value] of Object.entries(part[section] ?? {})) {
      into[section][key] = mergeJson(into[section][key], value) as JsonObject;
    }
  }
  return into;
}

/** Labels written as a KEY=VALUE list (compose allows both forms) as a mapping. */
export function labelMap(raw: unknown): JsonObject {
  if (Array.isArray(raw)) {
    const out: JsonObject = {};
    for (const e of raw) {
      const text = String(e);
      const eq = text.indexOf('=');
      out[eq < 0 ? text : text.slice(0, eq)] = eq < 0 ? '' : text.slice(eq + 1);
    }
    return out;
  }
  return raw && typeof raw === 'object' ? { ...(raw as JsonObject) } : {};
}
