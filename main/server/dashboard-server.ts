// `ktrdr-sandbox dashboard`: the renderer build and the contract over HTTP (JSON) + server-sent events, on
// 127.0.0.1 only, behind a random token. node:http only; the handlers and the state service are the same ones
// the Electron shell uses, so the browser and the window behave identically. Wiring and lifecycle here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Deps } from '../core/deps';
import { SandboxError, toErrorPayload } from '../core/errors';
import { createDispatch, createHandlers, type CallLog, type ServiceHandlers } from '../ui-backend/handlers';
import { createNodePlatform } from '../ui-backend/node-platform';
import { createStateService } from '../ui-backend/state-service';
import { relayProgress } from '../ui-backend/progress-relay';
import type { Handlers, Platform, StateService } from '../ui-backend/types';
import { createEventStream } from './event-stream';
import { sendJson } from './http-responses';
import { createRouter } from './routes';
import { newToken } from './security';
import { createStaticSite, defaultStaticDir } from './static-site';

export { defaultStaticDir } from './static-site';
export { packageRoot } from '../adapters/package-root';

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
  /** The rotating log of this surface (main/adapters/surface-log.ts): handler calls, engine reconnects, errors. */
  log?: CallLog;
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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new SandboxError('USAGE', `The dashboard binds to loopback only (127.0.0.1), not ${host}`, {
      hint: 'Use an SSH tunnel to reach it from elsewhere.',
    });
  const staticDir = resolve(opts.staticDir ?? defaultStaticDir());
  const token = opts.token ?? newToken();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  if (!opts.deps && !(opts.state && opts.handlers)) throw new Error('startDashboardServer needs deps (or state and handlers)');

  // ---- event fan-out ---------------------------------------------------------------------------------------
  // (state and stopAllLogs are defined below: a client can only connect once the server listens)
  const events = createEventStream(
    () => state.current(),
    () => stopAllLogs(),
  );
  const broadcast = events.broadcast;

  // ---- services --------------------------------------------------------------------------------------------
  let platform: Platform | undefined = opts.platform;
  const needPlatform = (): Platform => (platform ??= createNodePlatform({ home: opts.deps!.home }));
  const ownState = !opts.state;
  const state: StateService =
    opts.state ??
    createStateService(opts.deps!, {
      repository: () => needPlatform().settings.get().repositoryRoot ?? opts.repository ?? null,
      log: opts.log,
    });
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
  const dispatch = createDispatch(handlers, opts.log);
  const stopAllLogs = (): void => (handlers as Partial<ServiceHandlers>).stopAllLogs?.();
  const unsubscribeState = state.onChange((s) => broadcast('state', s));
  // operations other processes run (a CLI `up`): their progress files, relayed as progress events
  const stopRelay = opts.deps
    ? relayProgress(opts.deps.home, (operation, e) => broadcast('progress', { ...e, operation }))
    : () => undefined;
  if (ownState) await state.start();

  let port = 0;
  const site = createStaticSite(staticDir, state, handlers);
  const handle = createRouter({ token, port: () => port, site, events, dispatch });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.error(`request ${req.method} ${(req.url ?? '').split('?')[0]} failed`, err);
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
    stopRelay();
    if (ownState) await state.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new SandboxError('USAGE', `Port ${opts.port} is already in use on ${host}`, {
        hint: 'Pick another with --port, or --port 0 for any free port.',
      });
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  // Read and compress the build now, off the event loop, rather than on the first visit.
  site.warm();

  const heartbeat = setInterval(() => events.ping(), heartbeatMs);
  heartbeat.unref();

  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    state,
    clients: () => events.size(),
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        stopRelay();
        unsubscribeState();
        stopAllLogs();
        events.endAll();
        const done = new Promise<void>((ok) => server.close(() => ok()));
        for (const s of sockets) s.destroy();
        await done;
        if (ownState) await state.stop();
      })();
      return closed;
    },
  };
}
