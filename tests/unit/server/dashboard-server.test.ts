// The dashboard server's guards and routes, on a real 127.0.0.1 socket with a stub state and handlers.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvokeChannel, type Snapshot } from '../../../main/shared/contract';
import { SandboxError } from '../../../main/core/errors';
import { startDashboardServer, type DashboardServer } from '../../../main/server/dashboard-server';
import { INITIAL_DATA_ELEMENT_ID } from '../../../main/shared/initial-data';
import { CONTENT_SECURITY_POLICY, cookieName, parseCookies } from '../../../main/server/security';
import type { Handlers, StateService } from '../../../main/ui-backend/types';

let dir: string;
let server: DashboardServer;
let listeners: ((s: Snapshot) => void)[] = [];
const snap: Snapshot = {
  engine: { state: 'up', endpoint: 'unix', version: '20' },
  instances: [],
  orphans: [],
  busy: {},
  repository: '/repo',
  problems: [],
  updatedAt: 7,
};
const settings = { repositoryRoot: null, theme: 'dark' as const, startAtLogin: false, notifications: true };
const BIG_JS = `${'export const x = "ktrdr";\n'.repeat(800)}`;

const state: StateService = {
  start: async () => undefined,
  stop: async () => undefined,
  current: () => snap,
  onChange: (l) => {
    listeners.push(l);
    return () => (listeners = listeners.filter((x) => x !== l));
  },
  setBusy: () => undefined,
  refresh: async () => snap,
  engineRequests: () => 0,
};

const handlers = new Proxy({} as Handlers, {
  get(_t, channel) {
    if (!isInvokeChannel(channel)) return undefined;
    if (channel === 'snapshot') return async () => snap;
    if (channel === 'getSettings') return async () => settings;
    if (channel === 'checkName') return async (name: string) => ({ name, valid: name === 'ok' });
    if (channel === 'destroy') {
      return async () => {
        throw new SandboxError('DIRTY_WORK', 'Refusing to destroy: work would be lost', { hint: 'Commit and push' });
      };
    }
    return async () => {
      throw new Error(`not stubbed: ${String(channel)}`);
    };
  },
});

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

function request(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; port?: number } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: opts.port ?? server.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        setHost: !opts.headers?.host,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = { 'content-type': 'application/json' };
const auth = () => ({ ...json, 'x-ktrdr-token': server.token });
const invoke = (channel: string, args: unknown[], headers: Record<string, string> = auth()) =>
  request(`/api/invoke/${channel}`, { method: 'POST', headers, body: JSON.stringify(args) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kts-server-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'index-AbCdEf12.js'), 'console.log(1)');
  await writeFile(join(dir, 'assets', 'big-XyZ98765.js'), BIG_JS);
  server = await startDashboardServer({ state, handlers, staticDir: dir, heartbeatMs: 100 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard server', () => {
  it('listens on 127.0.0.1 with a 32-byte base64url token in its URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startDashboardServer({ state, handlers, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('answers 401 without the token (pages, API and events)', async () => {
    expect((await request('/')).status).toBe(401);
    expect((await request('/assets/index-AbCdEf12.js')).status).toBe(401);
    const api = await invoke('snapshot', [], json);
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false });
    expect((await request('/api/events')).status).toBe(401);
    expect((await invoke('snapshot', [], { ...json, 'x-ktrdr-token': 'x'.repeat(43) })).status).toBe(401);
    expect((await request('/?token=nope')).status).toBe(401);
    expect((await request('/', { headers: { cookie: `${cookieName(server.port)}=wrong` } })).status).toBe(401);
  });

  it('answers 403 to a foreign Host (DNS rebinding) or Origin, token or not', async () => {
    expect((await request('/', { headers: { host: `evil.example:${server.port}` } })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), host: '127.0.0.1' })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), origin: `http://127.0.0.1:${server.port}.evil.example` })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), origin: 'null' })).status).toBe(403);
    expect((await invoke('snapshot', [], { ...auth(), origin: `https://127.0.0.1:${server.port}` })).status).toBe(403);
  });

  it('accepts its own origins and both loopback host names', async () => {
    expect((await invoke('snapshot', [], { ...auth(), origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect(
      (await invoke('snapshot', [], { ...auth(), origin: `http://localhost:${server.port}`, host: `localhost:${server.port}` })).status,
    ).toBe(200);
  });

  /** The JSON data block the server inlined into a page. */
  const inlined = (html: string): unknown => {
    const m = new RegExp(`<script type="application/json" id="${INITIAL_DATA_ELEMENT_ID}">([^<]*)</script>`).exec(html);
    return m ? JSON.parse(m[1]!) : undefined;
  };

  it('answers ?token= with the page itself and an HttpOnly SameSite=Strict cookie (no redirect round trip)', async () => {
    const login = await request(`/?token=${server.token}&x=1`);
    expect(login.status).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    expect(login.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(login.headers['referrer-policy']).toBe('no-referrer'); // the token never leaves in a Referer
    expect(login.body).toContain('<div id="root">');
    const set = login.headers['set-cookie']![0]!;
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
    const cookie = set.split(';')[0]!;
    expect(parseCookies(cookie)[cookieName(server.port)]).toBe(server.token);
    const page = await request('/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const api = await invoke('snapshot', [], { ...json, cookie });
    expect(JSON.parse(api.body)).toEqual({ ok: true, value: snap });
    // HEAD logs in the same way (the same cookie)
    expect((await request(`/?token=${server.token}`, { method: 'HEAD' })).headers['set-cookie']).toEqual([
      expect.stringContaining(`${cookie};`),
    ]);
  });

  it('still redirects a tokenised URL of anything but the page to its clean URL', async () => {
    const login = await request(`/assets/index-AbCdEf12.js?token=${server.token}&v=2`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/assets/index-AbCdEf12.js?v=2');
    expect(login.headers['set-cookie']![0]).toContain('HttpOnly');
  });

  it('inlines the current snapshot and settings into the page, so the first paint needs no API call', async () => {
    const page = await request('/', { headers: auth() });
    expect(inlined(page.body)).toEqual({ snapshot: snap, settings });
    expect(page.body.indexOf(INITIAL_DATA_ELEMENT_ID)).toBeLessThan(
      page.body.indexOf('</body>') >= 0 ? page.body.indexOf('</body>') : Infinity,
    );
    const login = await request(`/?token=${server.token}`);
    expect(inlined(login.body)).toEqual({ snapshot: snap, settings });
  });

  it('inlines state that cannot break out of its data block (names, paths and messages are not trusted)', async () => {
    const evil: Snapshot = { ...snap, repository: '/r/</script><script>alert(1)</script><!--', problems: ['a\u2028b </SCRIPT> & "q"'] };
    const other = await startDashboardServer({ state: { ...state, current: () => evil }, handlers, staticDir: dir });
    try {
      const page = await request('/', { port: other.port, headers: { host: `127.0.0.1:${other.port}`, 'x-ktrdr-token': other.token } });
      expect(page.body).not.toMatch(/<\/script><script>alert/i);
      expect(page.body).not.toContain('<!--');
      expect(page.body.match(/<\/script>/gi)).toHaveLength(1); // the data block's own end tag
      expect((inlined(page.body) as { snapshot: Snapshot }).snapshot).toEqual(evil);
    } finally {
      await other.close();
    }
  });

  it('inlines the stylesheet and preloads the app chunk, so only the page itself blocks the first paint', async () => {
    const other = await mkdtemp(join(tmpdir(), 'kts-server-css-'));
    await mkdir(join(other, 'assets'));
    await writeFile(
      join(other, 'index.html'),
      '<html><head><script type="module" crossorigin src="./assets/index-Ent12345.js"></script><link rel="stylesheet" crossorigin href="./assets/index-Css12345.css"></head><body><div id="root"></div></body></html>',
    );
    await writeFile(join(other, 'assets', 'index-Css12345.css'), '.topbar{display:flex}');
    await writeFile(join(other, 'assets', 'index-Ent12345.js'), 'requestAnimationFrame(()=>import("./start-App12345.js"))');
    const s2 = await startDashboardServer({ state, handlers, staticDir: other });
    try {
      const page = await request('/', { port: s2.port, headers: { host: `127.0.0.1:${s2.port}`, 'x-ktrdr-token': s2.token } });
      expect(page.body).toContain('<style>.topbar{display:flex}</style></head>');
      // the app's chunk, which the entry imports after the first frame, is fetched meanwhile
      expect(page.body).toContain(
        '<script type="module" crossorigin src="/assets/index-Ent12345.js"></script><link rel="modulepreload" crossorigin href="/assets/start-App12345.js">',
      );
      // every page path gets this document: its references are root-relative, so /some/route loads the app too
      const nested = await request('/some/route', { port: s2.port, headers: { host: `127.0.0.1:${s2.port}`, 'x-ktrdr-token': s2.token } });
      expect(nested.body).toContain('src="/assets/index-Ent12345.js"');
      expect(nested.body).not.toMatch(/(src|href)="\.\//);
      expect(page.body).not.toContain('<link rel="stylesheet"');
      // the file itself is still served (Electron and older pages link it)
      const css = await request('/assets/index-Css12345.css', {
        port: s2.port,
        headers: { host: `127.0.0.1:${s2.port}`, 'x-ktrdr-token': s2.token },
      });
      expect(css.body).toBe('.topbar{display:flex}');
    } finally {
      await s2.close();
      await rm(other, { recursive: true, force: true });
    }
  });

  it('compresses the build (once, off the request path) for clients that accept it', async () => {
    const path = '/assets/big-XyZ98765.js';
    let gz: Res | undefined;
    for (let i = 0; i < 100 && gz?.headers['content-encoding'] !== 'gzip'; i++) {
      if (i) await new Promise((r) => setTimeout(r, 20));
      gz = await request(path, { headers: { ...auth(), 'accept-encoding': 'gzip, deflate' } });
    }
    expect(gz!.headers['content-encoding']).toBe('gzip');
    expect(gz!.headers.vary).toBe('Accept-Encoding');
    expect(gz!.headers['cache-control']).toContain('immutable');
    expect(Number(gz!.headers['content-length'])).toBe(gz!.raw.length);
    expect(gz!.raw.length).toBeLessThan(BIG_JS.length / 10);
    expect(gunzipSync(gz!.raw).toString()).toBe(BIG_JS);
    const br = await request(path, { headers: { ...auth(), 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.raw).toString()).toBe(BIG_JS);
    const plain = await request(path, { headers: auth() });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_JS);
    const refused = await request(path, { headers: { ...auth(), 'accept-encoding': 'gzip;q=0, br;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const page = await request('/', { headers: { ...auth(), 'accept-encoding': 'gzip' } });
    expect(page.headers['content-encoding']).toBeUndefined(); // a tiny page is not worth it
  });

  it('sends strict security headers on every answer', async () => {
    for (const res of [await request('/'), await request('/', { headers: auth() }), await invoke('snapshot', [])]) {
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
  });

  it('serves the renderer build with an SPA fallback, never outside its directory', async () => {
    const js = await request('/assets/index-AbCdEf12.js', { headers: auth() });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await request('/some/route', { headers: auth() })).body).toContain('id="root"');
    expect((await request('/assets/missing.js', { headers: auth() })).status).toBe(404);
    expect((await request('/../../etc/passwd', { headers: auth() })).body).not.toContain('root:');
    expect((await request('/%2e%2e/%2e%2e/etc/passwd', { headers: auth() })).body).toContain('id="root"'); // URL parsing drops the dots
    expect((await request('/assets/..%2f..%2f..%2f..%2fetc%2fpasswd', { headers: auth() })).status).toBe(403);
  });

  it('dispatches invoke channels into Result envelopes', async () => {
    expect(JSON.parse((await invoke('checkName', ['ok'])).body)).toEqual({ ok: true, value: { name: 'ok', valid: true } });
    expect(JSON.parse((await invoke('destroy', ['x'])).body)).toEqual({
      ok: false,
      error: { code: 'DIRTY_WORK', message: 'Refusing to destroy: work would be lost', hint: 'Commit and push', exitCode: 1 },
    });
    expect((await invoke('rm-rf', [])).status).toBe(404);
    expect((await request('/api/invoke/snapshot', { headers: auth() })).status).toBe(405);
    expect(
      (
        await request('/api/invoke/snapshot', {
          method: 'POST',
          headers: { 'x-ktrdr-token': server.token, 'content-type': 'text/plain' },
          body: '[]',
        })
      ).status,
    ).toBe(415);
    expect((await request('/api/invoke/snapshot', { method: 'POST', headers: auth(), body: '{"a":1}' })).status).toBe(400);
    expect((await request('/api/invoke/snapshot', { method: 'POST', headers: auth(), body: 'nope' })).status).toBe(400);
    expect((await request('/api/nothing', { headers: auth() })).status).toBe(404);
  });

  it('streams events over SSE: the current state at once, then every change, with heartbeats', async () => {
    const chunks: string[] = [];
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { 'x-ktrdr-token': server.token } });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    res.setEncoding('utf8');
    res.on('data', (c: string) => chunks.push(c));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clients()).toBe(1);
    for (const l of listeners) l({ ...snap, updatedAt: 8 });
    await new Promise((r) => setTimeout(r, 250));
    const text = chunks.join('');
    const frames = text.split('\n\n').filter((f) => f.startsWith('event: state'));
    expect(frames.length).toBe(2);
    expect(JSON.parse(frames[0]!.split('\ndata: ')[1]!)).toEqual(snap);
    expect(JSON.parse(frames[1]!.split('\ndata: ')[1]!).updatedAt).toBe(8);
    expect(text).toContain(': ping');
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.clients()).toBe(0);
  });
});
