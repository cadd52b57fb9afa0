// The state the dashboard server inlines into index.html (main/shared/initial-data.ts): the first render shows
// the instances at once instead of "Loading…" and an API round trip. Absent in Electron (file://) and whenever
// the block is missing or malformed — then the page asks for the snapshot as before.
import type { Settings, Snapshot } from '../../../main/shared/contract';
import { INITIAL_DATA_ELEMENT_ID, type InitialData } from '../../../main/shared/initial-data';

export type { InitialData };

function isSnapshot(x: unknown): x is Snapshot {
  const s = x as Partial<Snapshot> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.engine === 'object' &&
    s.engine !== null &&
    Array.isArray(s.instances) &&
    Array.isArray(s.orphans) &&
    Array.isArray(s.problems) &&
    typeof s.busy === 'object' &&
    typeof s.updatedAt === 'number'
  );
}

function isSettings(x: unknown): x is Settings {
  const s = x as Partial<Settings> | null;
  return typeof s === 'object' && s !== null && typeof s.theme === 'string' && typeof s.notifications === 'boolean';
}

/** Parse the data block's text; null when it is not what the server writes. */
export function parseInitialData(text: string | null | undefined): InitialData | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const d = raw as { snapshot?: unknown; settings?: unknown } | null;
  if (typeof d !== 'object' || d === null || !isSnapshot(d.snapshot)) return null;
  return isSettings(d.settings) ? { snapshot: d.snapshot, settings: d.settings } : { snapshot: d.snapshot };
}

/** The part of a Document this needs (kept DOM-free so that it type-checks and tests under Node too). */
export interface DocumentLike {
  getElementById(id: string): { textContent: string | null; remove(): void } | null;
}

/** Read (and remove) the inlined data of this document. */
export function takeInitialData(doc: DocumentLike): InitialData | null {
  const el = doc.getElementById(INITIAL_DATA_ELEMENT_ID);
  if (!el) return null;
  const data = parseInitialData(el.textContent);
  el.remove();
  return data;
}
