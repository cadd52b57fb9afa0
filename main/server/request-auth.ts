// The gate every dashboard request passes before routing: a loopback Host and no foreign Origin (DNS
// rebinding), then the token — from ?token=… on a first page load (it becomes the session cookie), else from
// the cookie or the x-ktrdr-token header. The primitives are in security.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from '../core/errors';
import { errorJson, page, sendText } from './http-responses';
import { hostAllowed, originAllowed, requestAuthorised, sessionCookie, tokenMatches } from './security';

export interface AuthContext {
  token: string;
  /** The port the server listens on (Host, Origin and the cookie's name depend on it). */
  port: number;
  /** Whether a page path stands for the application document (served at once on a first page load). */
  isDocument(pathname: string): boolean;
  serveDocument(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string>): Promise<void>;
}

/** The request's URL when it may go on to the routes; null when it has been answered here. */
export async function authenticate(req: IncomingMessage, res: ServerResponse, ctx: AuthContext): Promise<URL | null> {
  const { token, port } = ctx;
  if (!hostAllowed(req.headers.host, port)) {
    sendText(res, 403, 'Forbidden: unexpected Host header');
    return null;
  }
  const origin = req.headers.origin;
  if (!originAllowed(Array.isArray(origin) ? origin[0] : origin, port)) {
    sendText(res, 403, 'Forbidden: cross-origin request');
    return null;
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
      sendText(
        res,
        401,
        page(
          'Wrong token',
          '<p>This link carries an outdated token. Open the URL printed by <code>ktrdr-sandbox dashboard</code> again.</p>',
        ),
        true,
      );
      return null;
    }
    const cookie = sessionCookie(token, port);
    if (ctx.isDocument(url.pathname)) {
      await ctx.serveDocument(req, res, { 'Set-Cookie': cookie });
      return null;
    }
    url.searchParams.delete('token');
    const rest = url.searchParams.toString();
    res.writeHead(302, { 'Set-Cookie': cookie, Location: `${url.pathname}${rest ? `?${rest}` : ''}`, 'Cache-Control': 'no-store' });
    res.end();
    return null;
  }
  if (!requestAuthorised(req, token, port)) {
    if (isApi) errorJson(res, 401, new SandboxError('USAGE', 'Unauthorised: the dashboard token is missing or wrong'));
    else
      sendText(
        res,
        401,
        page(
          'Token required',
          '<p>Open the URL printed by <code>ktrdr-sandbox dashboard</code> — it carries the access token (<code>?token=…</code>).</p>',
        ),
        true,
      );
    return null;
  }
  return url;
}
