// `ktrdr-sandbox dashboard`: the renderer build and the contract over HTTP (JSON) + server-sent events, on
// 127.0.0.1 only, behind a random token. node:http only; the handlers and the state service are the same ones
// the Electron shell uses, so the browser and the window behave identically.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { EventChannel, EventMap } from '../contract';
import { isInvokeChannel } from '../contract';
import type { Deps } from '../core/deps';
import { SandboxError, toErrorPayload } from '../core/errors';
import { createDispatch, createHandlers, type ServiceHandlers } from '../services/handlers';
import { createNodePlatform } from '../services/node-platform';
import { createStateService } from '../services/state-service';
import type { EventSender, Handlers, Platform, StateService } from '../services/types';
import { injectInitialData, type InitialData } from './initial-data';
import { createAssetCache, inlineStylesheets, MIME, pickEncoding, preloadDynamicImports, type StaticAsset } from './static-assets';
import { applySecurityHeaders, hostAllowed, newToken, originAllowed, requestAuthorised, sessionCookie, tokenMatches } from './security';

export interface DashboardServerOptions {
  /** The core's dependencies (required unless both `state` and `handlers` are given). */
  deps?: Deps;
  /** 0 (default): any free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), localhost or ::1. */
  host?: string;
  /** The repository `create` works from when settings name none. */
  repository?: string | null;
  /** The renderer build (default: <package root>/out/renderer). */
  staticDir?: string;
  platform?: Platform;
  /** Inject the state service / handlers (tests); the server then neither starts nor stops the state. */
  state?: StateService;
  handlers?: Handlers;
  token?: string;
  heartbeatMs?: number;
}

export interface DashboardServer {
  /** The URL to open: http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  state: StateService;
  /** Connected event-stream clients. */
  clients(): number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;


/** The directory holding this package's package.json (works from the sources and from dist/cli.cjs). */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ktrdr-sandbox') return dir;
      } catch {
        // keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(from, '..', '..');
    dir = parent;
  }
}

export function defaultStaticDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>body{font:15px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#333}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string, html = false): void {
  res.writeHead(status, { 'Content-Type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function errorJson(res: ServerResponse, status: number, err: SandboxError): void {
  sendJson(res, status, { ok: false, error: toErrorPayload(err) });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SandboxError('USAGE', 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface SseClient {
  res: ServerResponse;
}

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new SandboxError('USAGE', `The dashboard binds to loopback only (127.0.0.1), not ${host}`, { hint: 'Use an SSH tunnel to reach it from elsewhere.' });
  const staticDir = resolve(opts.staticDir ?? defaultStaticDir());
  const token = opts.token ?? newToken();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  if (!opts.deps && !(opts.state && opts.handlers)) throw new Error('startDashboardServer needs deps (or state and handlers)');

  // ---- event fan-out ---------------------------------------------------------------------------------------
  const clients = new Set<SseClient>();
  const broadcast: EventSender = <E extends EventChannel>(event: E, payload: EventMap[E]) => {
    if (!clients.size) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of clients) {
      // a client that stopped reading is dropped rather than buffered without bound
      if (c.res.writableLength > 8 * 1024 * 1024) {
        c.res.destroy();
        clients.delete(c);
        continue;
      }
      c.res.write(frame);
    }
  };

  // ---- services --------------------------------------------------------------------------------------------
  let platform: Platform | undefined = opts.platform;
  const needPlatform = (): Platform => (platform ??= createNodePlatform({ home: opts.deps!.home }));
  const ownState = !opts.state;
  const state: StateService =
    opts.state ??
    createStateService(opts.deps!, { repository: () => needPlatform().settings.get().repositoryRoot ?? opts.repository ?? null });
  const handlers: Handlers =
    opts.handlers ??
    createHandlers({
      // the state service's counted deps, so engineRequests() counts the handlers' requests too
      deps: (state as StateService & { deps?: Deps }).deps ?? opts.deps!,
      state,
      platform: needPlatform(),
      emitProgress: (operation, e) => broadcast('progress', { ...e, operation }),
      emitLog: (e) => broadcast('log', e),
    });
  const dispatch = createDispatch(handlers);
  const stopAllLogs = (): void => (handlers as Partial<ServiceHandlers>).stopAllLogs?.();
  const unsubscribeState = state.onChange((s) => broadcast('state', s));
  if (ownState) await state.start();

  let port = 0;
  const assets = createAssetCache();

  // ---- routes ----------------------------------------------------------------------------------------------
  /** What a page path stands for: a file of the build, the application document (SPA fallback), or an error. */
  function resolveStatic(pathname: string): { kind: 'file'; file: string } | { kind: 'document' } | { kind: 'error'; status: number; text: string } {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return { kind: 'error', status: 400, text: 'Bad path' };
    }
    const file = normalize(join(staticDir, rel));
    if (file !== staticDir && !file.startsWith(staticDir + sep)) return { kind: 'error', status: 403, text: 'Forbidden' };
    let isFile = false;
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
      page('Dashboard not built', `<p>The renderer build is missing at <code>${staticDir.replace(/</g, '&lt;')}</code>.</p><p>Run <code>npm run build</code> (or <code>npm run build:web</code>) and reload.</p>`),
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
    const page = await preloadDynamicImports(withCss, (src) => buildFile(src, '.js'));
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

  async function invoke(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (!isInvokeChannel(channel)) {
      errorJson(res, 404, new SandboxError('NOT_FOUND', `Unknown channel "${channel}"`));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      errorJson(res, 405, new SandboxError('USAGE', 'Use POST'));
      return;
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('application/json')) {
      errorJson(res, 415, new SandboxError('USAGE', 'Content-Type must be application/json'));
      return;
    }
    let args: unknown;
    try {
      const text = await readBody(req);
      args = text.trim() ? JSON.parse(text) : [];
    } catch (err) {
      errorJson(res, 400, err instanceof SandboxError ? err : new SandboxError('USAGE', `Body is not JSON: ${(err as Error).message}`));
      return;
    }
    if (!Array.isArray(args)) {
      errorJson(res, 400, new SandboxError('USAGE', 'Body must be a JSON array of arguments'));
      return;
    }
    const result = await dispatch(channel, args as never);
    sendJson(res, 200, result);
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      sendText(res, 405, 'Use GET');
      return;
    }
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 1000\n\nevent: state\ndata: ${JSON.stringify(state.current())}\n\n`);
    const client: SseClient = { res };
    clients.add(client);
    const gone = () => {
      if (!clients.delete(client)) return;
      if (clients.size === 0) stopAllLogs(); // nobody can see the lines any more
    };
    req.on('close', gone);
    res.on('error', gone);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res);
    if (!hostAllowed(req.headers.host, port)) {
      sendText(res, 403, 'Forbidden: unexpected Host header');
      return;
    }
    const origin = req.headers.origin;
    if (!originAllowed(Array.isArray(origin) ? origin[0] : origin, port)) {
      sendText(res, 403, 'Forbidden: cross-origin request');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const isApi = url.pathname.startsWith('/api/');

    // First page load: ?token=… becomes an HttpOnly cookie. The application document is served in the same
    // answer (a redirect would cost a round trip before anything can paint) and the page drops the token from
    // the address bar at once (history.replaceState, see renderer/src/api/url-token.ts); the Referrer-Policy
    // keeps it out of every request the page makes. Anything else is redirected to its clean URL.
    const qtoken = url.searchParams.get('token');
    if (qtoken !== null && !isApi && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!tokenMatches(qtoken, token)) {
        sendText(res, 401, page('Wrong token', '<p>This link carries an outdated token. Open the URL printed by <code>ktrdr-sandbox dashboard</code> again.</p>'), true);
        return;
      }
      const cookie = sessionCookie(token, port);
      if (resolveStatic(url.pathname).kind === 'document') return serveDocument(req, res, { 'Set-Cookie': cookie });
      url.searchParams.delete('token');
      const rest = url.searchParams.toString();
      res.writeHead(302, { 'Set-Cookie': cookie, Location: `${url.pathname}${rest ? `?${rest}` : ''}`, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (!requestAuthorised(req, token, port)) {
      if (isApi) errorJson(res, 401, new SandboxError('USAGE', 'Unauthorised: the dashboard token is missing or wrong'));
      else sendText(res, 401, page('Token required', '<p>Open the URL printed by <code>ktrdr-sandbox dashboard</code> — it carries the access token (<code>?token=…</code>).</p>'), true);
      return;
    }

    if (url.pathname.startsWith('/api/invoke/')) return invoke(req, res, url.pathname.slice('/api/invoke/'.length));
    if (url.pathname === '/api/events') return events(req, res);
    if (isApi) {
      errorJson(res, 404, new SandboxError('NOT_FOUND', `No route ${url.pathname}`));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'Method not allowed');
      return;
    }
    return serveStatic(req, res, url.pathname);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorPayload(err) });
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen({ port: opts.port ?? 0, host, exclusive: true }, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (err) {
    unsubscribeState();
    if (ownState) await state.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new SandboxError('USAGE', `Port ${opts.port} is already in use on ${host}`, { hint: 'Pick another with --port, or --port 0 for any free port.' });
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  // Read and compress the build now, off the event loop, rather than on the first visit.
  void assets.warm(join(staticDir, 'assets'));
  void assets.get(join(staticDir, 'index.html')).catch(() => undefined);

  const heartbeat = setInterval(() => {
    for (const c of clients) c.res.write(': ping\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    state,
    clients: () => clients.size,
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        unsubscribeState();
        stopAllLogs();
        for (const c of clients) c.res.end();
        clients.clear();
        const done = new Promise<void>((ok) => server.close(() => ok()));
        for (const s of sockets) s.destroy();
        await done;
        if (ownState) await state.stop();
      })();
      return closed;
    },
  };
}
