// The renderer build as the dashboard serves it: where the build is, what a page path stands for (a file, the
// application document as SPA fallback, or an error), the files themselves and the application document with
// the first frame and the live snapshot inlined.
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Handlers, StateService } from '../ui-backend/types';
import { page, sendText } from './http-responses';
import { injectInitialData, type InitialData } from '../shared/initial-data';
import { packageRoot } from '../adapters/package-root';
import {
  createAssetCache,
  inlineStylesheets,
  MIME,
  pickEncoding,
  preloadDynamicImports,
  rootRelativeRefs,
  type StaticAsset,
} from './static-assets';

export function defaultStaticDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}

export type StaticTarget = { kind: 'file'; file: string } | { kind: 'document' } | { kind: 'error'; status: number; text: string };

export interface StaticSite {
  resolveStatic(pathname: string): StaticTarget;
  serveDocument(req: IncomingMessage, res: ServerResponse, extraHeaders?: Record<string, string>): Promise<void>;
  serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** Read and compress the build now, off the event loop, rather than on the first visit. */
  warm(): void;
}

export function createStaticSite(staticDir: string, state: StateService, handlers: Handlers): StaticSite {
  const assets = createAssetCache();

  /** What a page path stands for: a file of the build, the application document (SPA fallback), or an error. */
  function resolveStatic(pathname: string): StaticTarget {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return { kind: 'error', status: 400, text: 'Bad path' };
    }
    const file = normalize(join(staticDir, rel));
    if (file !== staticDir && !file.startsWith(staticDir + sep)) return { kind: 'error', status: 403, text: 'Forbidden' };
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (isFile && file !== join(staticDir, 'index.html')) return { kind: 'file', file };
    if (!isFile && extname(rel) && rel !== '/') return { kind: 'error', status: 404, text: 'Not found' };
    return { kind: 'document' };
  }

  function notBuilt(res: ServerResponse): void {
    sendText(
      res,
      503,
      page(
        'Dashboard not built',
        `<p>The renderer build is missing at <code>${staticDir.replace(/</g, '&lt;')}</code>.</p><p>Run <code>npm run build</code> (or <code>npm run build:web</code>) and reload.</p>`,
      ),
      true,
    );
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    let asset: StaticAsset;
    try {
      asset = await assets.get(file);
    } catch {
      sendText(res, 404, 'Not found');
      return;
    }
    const immutable = /\/assets\/[^/]+-[A-Za-z0-9_-]{6,}\.[a-z0-9]+$/.test(file);
    const encoded = assets.encoded(asset, req.headers['accept-encoding']);
    const body = encoded?.body ?? asset.body;
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': body.length,
      'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
      ...(asset.compressible ? { Vary: 'Accept-Encoding' } : {}),
      ...(encoded ? { 'Content-Encoding': encoded.encoding } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /**
   * The application document: index.html with its stylesheet inlined, the first frame (the top bar with the live
   * summary) in #root, the app's chunk preloaded, and the current snapshot and settings as a JSON data block — so
   * the first paint needs nothing but this answer, and the app's first render shows the instances without an API
   * round trip. Never cached (it carries live state and is only served to an authorised request).
   */
  async function serveDocument(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string> = {}): Promise<void> {
    let template: StaticAsset;
    try {
      template = await assets.get(join(staticDir, 'index.html'));
    } catch {
      notBuilt(res);
      return;
    }
    const initial: InitialData = { snapshot: state.current() };
    try {
      initial.settings = await handlers.getSettings();
    } catch {
      // the page asks for them itself
    }
    /** The text of one of the build's own files named by a page reference, or null. */
    const buildFile = async (ref: string, ext: string): Promise<string | null> => {
      const url = new URL(ref, 'http://build.invalid/');
      if (url.origin !== 'http://build.invalid') return null;
      const target = resolveStatic(url.pathname);
      return target.kind === 'file' && extname(target.file) === ext ? (await assets.get(target.file)).body.toString('utf8') : null;
    };
    const withCss = await inlineStylesheets(template.body.toString('utf8'), (href) => buildFile(href, '.css'));
    const page = rootRelativeRefs(await preloadDynamicImports(withCss, (src) => buildFile(src, '.js')));
    const html = Buffer.from(injectInitialData(page, initial));
    const encoding = pickEncoding(req.headers['accept-encoding'], ['gzip']);
    const body = encoding === 'gzip' && html.length > 1024 ? gzipSync(html, { level: 6 }) : html;
    res.writeHead(200, {
      ...extraHeaders,
      'Content-Type': MIME['.html']!,
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
      ...(body !== html ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const target = resolveStatic(pathname);
    if (target.kind === 'error') sendText(res, target.status, target.text);
    else if (target.kind === 'file') await serveFile(req, res, target.file);
    else await serveDocument(req, res);
  }

  return {
    resolveStatic,
    serveDocument,
    serveStatic,
    warm() {
      void assets.warm(join(staticDir, 'assets'));
      void assets.get(join(staticDir, 'index.html')).catch(() => undefined);
    },
  };
}
