// The renderer build as the dashboard server serves it: each file read once (re-read when its mtime or size
// changes), and text files compressed once, in the background, so no request ever waits for a compressor.
// Over loopback this saves little; through an SSH tunnel the ~3-4x smaller bundle is what matters.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map', '.txt']);
/** Below this, compression saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024;

export type Encoding = 'br' | 'gzip';

export interface StaticAsset {
  file: string;
  body: Buffer;
  type: string;
  compressible: boolean;
  mtimeMs: number;
  size: number;
  /** Filled in once the background compression finishes. */
  variants: Partial<Record<Encoding, Buffer>>;
  /** Settles when the background compression is over (tests, warm-up). */
  compressed: Promise<void>;
}

/**
 * The encodings the client accepts (q > 0), in the server's order of preference, restricted to `offer`.
 * `identity` is always acceptable, so null means "send it as it is".
 */
export function pickEncoding(acceptEncoding: string | string[] | undefined, offer: readonly Encoding[] = ['br', 'gzip']): Encoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const star = accepted.get('*');
  for (const enc of offer) {
    const q = accepted.get(enc) ?? star ?? 0;
    if (q > 0) return enc;
  }
  return null;
}

export interface AssetCache {
  /** The file (throws when it cannot be read). */
  get(file: string): Promise<StaticAsset>;
  /** The best ready compressed variant the client accepts, or null (send the body as it is). */
  encoded(asset: StaticAsset, acceptEncoding: string | string[] | undefined): { encoding: Encoding; body: Buffer } | null;
  /** Read and compress every file of a directory (the server does not wait for it). */
  warm(dir: string): Promise<void>;
}

export function createAssetCache(opts: { brotliQuality?: number } = {}): AssetCache {
  const cache = new Map<string, StaticAsset>();
  const brotliQuality = opts.brotliQuality ?? 5; // ~4 % bigger than 11, at a twentieth of the CPU

  /** One file at a time, each encoder sized to the file: the memory a compressor takes stays small. */
  let queue: Promise<unknown> = Promise.resolve();
  function compress(asset: StaticAsset): Promise<void> {
    if (!asset.compressible || asset.body.length < MIN_COMPRESS_BYTES) return Promise.resolve();
    const keep = (enc: Encoding) => (out: Buffer) => {
      // a variant bigger than the original is useless; a stale asset's variant must not land on the new one
      if (out.length < asset.body.length && cache.get(asset.file) === asset) asset.variants[enc] = out;
    };
    const size = asset.body.length;
    const lgwin = Math.min(24, Math.max(10, Math.ceil(Math.log2(size + 1))));
    const run = queue.then(async () => {
      await gzipAsync(asset.body, { level: 9 }).then(keep('gzip'), () => undefined);
      await brotliAsync(asset.body, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: brotliQuality,
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          [zlib.BROTLI_PARAM_SIZE_HINT]: size,
          [zlib.BROTLI_PARAM_LGWIN]: lgwin,
        },
      }).then(keep('br'), () => undefined);
    });
    queue = run;
    return run;
  }

  async function get(file: string): Promise<StaticAsset> {
    const st = await stat(file);
    if (!st.isFile()) throw new Error(`${file} is not a file`);
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const body = await readFile(file);
    const ext = extname(file);
    const asset: StaticAsset = {
      file,
      body,
      type: MIME[ext] ?? 'application/octet-stream',
      compressible: COMPRESSIBLE.has(ext),
      mtimeMs: st.mtimeMs,
      size: st.size,
      variants: {},
      compressed: Promise.resolve(),
    };
    cache.set(file, asset);
    asset.compressed = compress(asset);
    return asset;
  }

  return {
    get,
    encoded(asset, acceptEncoding) {
      const ready = (['br', 'gzip'] as const).filter((e) => asset.variants[e]);
      const enc = ready.length ? pickEncoding(acceptEncoding, ready) : null;
      return enc ? { encoding: enc, body: asset.variants[enc]! } : null;
    },
    async warm(dir) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return;
      }
      await Promise.all(
        names.map((n) =>
          get(join(dir, n)).then(
            (a) => a.compressed,
            () => undefined,
          ),
        ),
      );
    },
  };
}

/**
 * The page with its stylesheets inlined (<link rel="stylesheet" href="…"> → <style>…</style>), so nothing
 * blocks the first paint but the page itself. `read` gives a stylesheet's text by its href, or null to keep
 * that link as it is (unknown file, or a text that could end the <style> element early).
 */
export async function inlineStylesheets(html: string, read: (href: string) => Promise<string | null>): Promise<string> {
  const links = [...html.matchAll(/<link\b[^>]*\brel=["']?stylesheet["']?[^>]*>/gi)];
  let out = html;
  for (const [tag] of links) {
    const href = /\bhref=["']?([^"'\s>]+)/i.exec(tag)?.[1];
    if (!href) continue;
    const css = await read(href).catch(() => null);
    if (css === null || /<\/style/i.test(css)) continue;
    out = out.replace(tag, () => `<style>${css}</style>`);
  }
  return out;
}

/**
 * The page with a <link rel="modulepreload"> for every chunk its module scripts import dynamically
 * (`import("./start-….js")`), placed right after the script: the entry defers evaluating the app's chunk until
 * the first frame is painted (renderer/src/main.tsx), and this lets the browser fetch and compile that chunk
 * meanwhile instead of only then. `read` gives a script's text by its src, or null.
 */
export async function preloadDynamicImports(html: string, read: (src: string) => Promise<string | null>): Promise<string> {
  const scripts = [...html.matchAll(/<script\b[^>]*\btype=["']?module["']?[^>]*\bsrc=["']?([^"'\s>]+)["']?[^>]*><\/script>/gi)];
  let out = html;
  for (const [tag, src] of scripts) {
    const code = await read(src!).catch(() => null);
    if (!code) continue;
    const base = new URL(src!, 'http://build.invalid/');
    const hrefs = new Set<string>();
    for (const m of code.matchAll(/\bimport\(\s*(["'])(\.{1,2}\/[^"'\s]+?\.m?js)\1\s*\)/g)) {
      const url = new URL(m[2]!, base);
      hrefs.add(src!.startsWith('/') ? url.pathname : `.${url.pathname}`);
    }
    if (!hrefs.size) continue;
    const links = [...hrefs].map((h) => `<link rel="modulepreload" crossorigin href="${h}">`).join('');
    out = out.replace(tag, () => `${tag}${links}`);
  }
  return out;
}

/**
 * The page with its `./` references made root-relative (`./assets/x.js` → `/assets/x.js`). The build uses
 * relative paths for Electron's file:// window, but the server answers every page path with this document:
 * at /some/path they would resolve to /some/assets/… and the page would load nothing.
 */
export function rootRelativeRefs(html: string): string {
  return html.replace(/(\s(?:src|href)=["'])\.\//gi, '$1/');
}
