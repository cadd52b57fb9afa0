// Security rules of the shell. Pure helpers (unit-tested) plus `hardenWebContents`, applied to every webContents
// the app creates: navigation only within the app's own page, no new windows (http(s) links go to the default
// browser instead), no <webview>, no permission grants, and a strict Content-Security-Policy.
import type { Session, WebContents } from 'electron';

/** http: and https: only — the one kind of URL we ever hand to the OS (javascript:, file:, smb:… are refused). */
export function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * May a frame showing `appUrl` navigate to `target`? Same origin for the dev server (http://localhost:5173…);
 * for the packaged file:// page only the same file (a hash/query change).
 */
export function isAllowedNavigation(target: string, appUrl: string): boolean {
  let t: URL;
  let a: URL;
  try {
    t = new URL(target);
    a = new URL(appUrl);
  } catch {
    return false;
  }
  if (a.protocol === 'file:') return t.protocol === 'file:' && t.pathname === a.pathname && t.host === a.host;
  return t.origin === a.origin;
}

/**
 * The Content-Security-Policy of the window. Production: nothing but our own files. Dev (Vite server): the React
 * refresh preamble is an inline script and HMR talks over a websocket to the dev server. Sent as a response header
 * (session.webRequest) and, because file:// pages get no response headers, also built into index.html as a
 * <meta> tag (`meta: true`, electron.vite.config.ts).
 */
export function contentSecurityPolicy(opts: { devServerUrl?: string; meta?: boolean } = {}): string {
  // frame-ancestors is ignored (with a console warning) in a <meta> policy.
  const frames = opts.meta ? [] : ["frame-ancestors 'none'"];
  if (opts.devServerUrl) {
    const origin = new URL(opts.devServerUrl);
    const ws = `ws://${origin.host}`;
    return [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      `connect-src 'self' ${ws}`,
      "object-src 'none'",
      "base-uri 'none'",
      ...frames,
    ].join('; ');
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    ...frames,
    "form-action 'none'",
  ].join('; ');
}

/** Response headers with our CSP set (replacing any the server sent, whatever its case). */
export function withCsp(headers: Record<string, string[] | string> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}

/** Sets the CSP header on every response of the session, and refuses every permission request. */
export function hardenSession(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export interface HardenOptions {
  /** The URL of the app's page (dev server URL or file:// URL of index.html). */
  appUrl: string;
  /** Hand an http(s) URL to the default browser. */
  openExternal(url: string): void;
}

/** Applied from app.on('web-contents-created'): deny navigation away, new windows and webviews. */
export function hardenWebContents(contents: WebContents, opts: HardenOptions): void {
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (isAllowedNavigation(url, opts.appUrl)) return;
    event.preventDefault();
    if (isHttpUrl(url)) opts.openExternal(url);
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttpUrl(url)) opts.openExternal(url);
    return { action: 'deny' };
  });
}
