// The dashboard server's routing: every request gets the security headers and passes request-auth.ts, then
// POST /api/invoke/<channel> (the contract's invoke channels, JSON arguments), GET /api/events (the event
// stream), and GET/HEAD of anything else from the renderer build.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInvokeChannel } from '../shared/contract';
import { SandboxError } from '../core/errors';
import type { Dispatch } from '../ui-backend/types';
import type { EventStream } from './event-stream';
import { errorJson, sendJson, sendText } from './http-responses';
import { authenticate } from './request-auth';
import { applySecurityHeaders } from './security';
import type { StaticSite } from './static-site';

const MAX_BODY = 1024 * 1024;

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

export interface RouterOptions {
  token: string;
  /** The listening port (known once the server listens; read at every request). */
  port(): number;
  site: StaticSite;
  events: EventStream;
  dispatch: Dispatch;
}

export function createRouter(o: RouterOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { site, events, dispatch } = o;

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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res);
    const url = await authenticate(req, res, {
      token: o.token,
      port: o.port(),
      isDocument: (pathname) => site.resolveStatic(pathname).kind === 'document',
      serveDocument: (rq, rs, headers) => site.serveDocument(rq, rs, headers),
    });
    if (!url) return;
    const isApi = url.pathname.startsWith('/api/');

    if (url.pathname.startsWith('/api/invoke/')) return invoke(req, res, url.pathname.slice('/api/invoke/'.length));
    if (url.pathname === '/api/events') return events.open(req, res);
    if (isApi) {
      errorJson(res, 404, new SandboxError('NOT_FOUND', `No route ${url.pathname}`));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'Method not allowed');
      return;
    }
    return site.serveStatic(req, res, url.pathname);
  }

  return handle;
}
