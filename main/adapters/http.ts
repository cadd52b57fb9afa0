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

async function getOnce(url: URL, signal: AbortSignal): Promise<Reply> {
  const mod =
    url.protocol === 'https:' ? process.getBuiltinModule('node:https') : url.protocol === 'http:' ? process.getBuiltinModule('node:http') : null;
  if (!mod) throw new Error(`unsupported protocol ${url.protocol}`);
  return new Promise<Reply>((resolve, reject) => {
    const req = mod.get(url, { signal, headers: { accept: '*/*', connection: 'close' } }, (res) => {
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
        if (signal.aborted) throw new Error(`GET ${url} timed out after ${timeoutMs} ms`);
        throw new Error(`GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
