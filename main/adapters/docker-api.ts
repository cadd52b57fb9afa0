// GET on the Docker Engine API over node:http(s), without dockerode: the read path of `list`, `status` and
// the gate (ping, container listing). Loading dockerode and its stream libraries, then its per-request
// bookkeeping (an eager util.inspect of every request), cost ~60 ms of a `list` that makes one call.
// Everything else (exec, logs, events, removal) stays on dockerode. ssh:// endpoints need dockerode's
// tunnel: directGetSupported() says when this path applies.
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { dockerodeOptions, type DockerEndpoint } from './docker-endpoint';
import { deferredExtraCa } from './extra-ca';

/** A non-2xx answer of the engine; statusCode marks it as an API error, not a connection failure. */
export class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

export function directGetSupported(ep: DockerEndpoint): boolean {
  return ep.kind !== 'tcp' || ep.protocol !== 'ssh';
}

export function dockerQuery(query: Record<string, string | number | boolean | object | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function requestOptions(ep: DockerEndpoint, path: string, env: NodeJS.ProcessEnv): RequestOptions & { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const o = dockerodeOptions(ep, env);
  const base = { path, method: 'GET', headers: { accept: 'application/json' } };
  if (o.socketPath) {
    // servername '' skips node's TLS server-name guess (an IPv6 regex, ~10 ms to compile once) — no TLS here.
    return { ...base, socketPath: o.socketPath, servername: '' } as RequestOptions;
  }
  const tls = o.protocol === 'https' ? { ca: o.ca ?? deferredExtraCa(), cert: o.cert, key: o.key } : { servername: '' };
  return { ...base, host: o.host, port: o.port, ...tls } as RequestOptions;
}

/** GET path (with query) and parse the JSON answer ('OK' for /_ping and other plain-text answers). */
export function dockerGetJson<T>(ep: DockerEndpoint, path: string, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const https = ep.kind === 'tcp' && ep.protocol === 'https';
  const mod = process.getBuiltinModule(https ? 'node:https' : 'node:http') as typeof import('node:http');
  return new Promise<T>((resolve, reject) => {
    let req: ClientRequest;
    try {
      req = mod.request({ ...requestOptions(ep, path, env), signal }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // plain text (e.g. "OK" from /_ping)
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(body as T);
          const message = body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : text.trim();
          reject(new DockerApiError(status, `(HTTP code ${status}) ${message || 'unexpected'}`));
        });
      });
    } catch (err) {
      reject(err);
      return;
    }
    req.on('error', reject);
    req.end();
  });
}
