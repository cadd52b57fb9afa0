// The state a page needs for its first paint, inlined into index.html as a JSON data block
// (<script type="application/json">: never executed, so the strict CSP — script-src 'self' — still holds),
// plus the static first frame (main/shared/first-frame.ts) in #root and the chosen theme on <html>.
// The server injects it (main/server/static-site.ts); the renderer reads it (renderer/src/api/initial-data.ts).
import type { Settings, Snapshot } from './contract';
import { shellHtml } from './first-frame';

/** The id of the data block. */
export const INITIAL_DATA_ELEMENT_ID = 'ktrdr-initial-data';

export interface InitialData {
  snapshot: Snapshot;
  /** Absent when the settings could not be read (the page asks for them itself). */
  settings?: Settings;
}

/**
 * JSON that is safe inside a <script> element: no `<` at all (so neither `</script>` nor `<!--` can end or
 * change the element) and no U+2028/U+2029. JSON.parse reads the escapes back to the same characters.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const EMPTY_ROOT = '<div id="root"></div>';

/**
 * index.html with: the first frame in #root (painted before the script runs), the theme the settings choose on
 * <html> (so that frame is not painted in the wrong one), and the data block at the end of the body (the module
 * script is deferred, so it reads it).
 */
export function injectInitialData(html: string, data: InitialData): string {
  let out = html.replace(EMPTY_ROOT, () => `<div id="root">${shellHtml(data.snapshot)}</div>`);
  const theme = data.settings?.theme;
  if (theme === 'light' || theme === 'dark') out = out.replace(/<html(?=[\s>])/i, `<html data-theme="${theme}"`);
  const block = `<script type="application/json" id="${INITIAL_DATA_ELEMENT_ID}">${scriptSafeJson(data)}</script>`;
  const at = out.lastIndexOf('</body>');
  return at < 0 ? `${out}${block}` : `${out.slice(0, at)}${block}${out.slice(at)}`;
}
