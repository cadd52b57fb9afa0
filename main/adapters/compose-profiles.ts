// Which compose profiles a service belongs to, read from compose YAML documents.
import { parse } from 'yaml';

/**
 * Profiles of `service` across the given compose documents (later files merged over earlier ones:
 * the union of every `profiles:` list). null when no document defines the service.
 */
export function serviceProfiles(yamlTexts: string[], service: string): string[] | null {
  let found = false;
  const profiles = new Set<string>();
  for (const text of yamlTexts) {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      continue;
    }
    const services = doc !== null && typeof doc === 'object' ? (doc as { services?: unknown }).services : undefined;
    if (services === null || typeof services !== 'object') continue;
    const svc = (services as Record<string, unknown>)[service];
    if (svc === undefined) continue;
    found = true;
    const list = svc !== null && typeof svc === 'object' ? (svc as { profiles?: unknown }).profiles : undefined;
    if (Array.isArray(list)) for (const p of list) if (typeof p === 'string' && p !== '') profiles.add(p);
  }
  return found ? [...profiles] : null;
}
