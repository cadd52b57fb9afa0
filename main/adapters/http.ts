// HTTP GET for readiness checks: status and (truncated) text body; rejects on network errors and timeouts.
// node:http rather than fetch: the first fetch() loads undici, ~45 ms of `status` and of every gate here,
// and a readiness probe needs none of it. Redirects are followed (up to 5). node:http(s) are loaded on the
// first request, not at start-up (commands like `env` never make one).
import type { Http } from '../core/deps';

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 5;

interface Reply {
  status: number;
  body: string;
  location?: string;
}

// "localhost" is loopback by definition (RFC 6761), and every link of an instance uses it: connect to
// 127.0.0.1, then ::1 when nothing listens there. Handing node the name instead costs ~10 ms per process
// (node tests it against its IPv6 regex, compiled on first use, before asking the resolver).
const LOOPBACK = ['127.0.0.1', '::1'];
const NOT_LISTENING = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETUNREACH']);

async function getOnce(url: URL, signal: AbortSignal): Promise<Reply> {
  if (url.hostname !== 'localhost') return getFrom(url, url.hostname.replace(/^\[|\]$/g, ''), signal);
  for (let i = 0; ; i++) {
    try {
      return await getFrom(url, LOOPBACK[i]!, signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (i === LOOPBACK.length - 1 || !code || !NOT_LISTENING.has(code)) throw err;
    }
  }
}

function getFrom(url: URL, host: string, signal: AbortSignal): Promise<Reply> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const mod = process.getBuiltinModule(https ? 'node:https' : 'node:http') as typeof import('node:https');
  const options = {
    host,
    port: url.port || (https ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    signal,
    headers: { host: url.host, accept: '*/*', connection: 'close' },
    // TLS: verify the certificate against the name in the URL; plain HTTP: no server name to work out
    ...(https ? { servername: /^[\d.]+$|^\[/.test(url.hostname) ? undefined : url.hostname } : { servername: '' }),
  };
  return new Promise<Reply>((resolve, reject) => {
    const req = mod.get(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          body: new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, Math.min(buf.length, MAX_BODY_BYTES))),
          location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
        });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= MAX_BODY_BYTES) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export function createHttp(): Http {
  return {
    async get(url: string, timeoutMs: number) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        let target = new URL(url);
        for (let hop = 0; ; hop++) {
          const r = await getOnce(target, signal);
          if (r.status >= 300 && r.status < 400 && r.location && hop < MAX_REDIRECTS) {
            target = new URL(r.location, target);
            continue;
          }
          return { status: r.status, body: r.body };
        }
      } catch (err) {
        // The messages below are the whole story: no `cause`, because the gate describes an error by its cause when
        // it has one (describeFetchError in main/core/gate-checks.ts) and would print a bare code instead.
        /* eslint-disable preserve-caught-error */
        if (signal.aborted) throw new Error(`GET ${url} timed out after ${timeoutMs} ms`);
        throw new Error(`GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
        /* eslint-enable preserve-caught-error */
      }
    },
  };
}
