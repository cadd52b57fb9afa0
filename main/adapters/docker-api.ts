// The engine adapter's HTTP client for the Docker Engine API, over node:http(s) on the unix socket or TCP (TLS
// included): JSON calls and the raw streams of logs, exec and events. dockerode is not on this path — loading it
// and its stream libraries cost ~60 ms of a `list` that makes one call, ~0.3 s with ssh2 — and is loaded only
// for ssh:// endpoints, whose tunnel it provides (directSupported() says when this path applies).
// Every answer outside 2xx is a DockerApiError: status code, the engine's message, the endpoint.
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { dockerodeOptions, type DockerEndpoint } from './docker-endpoint';

/** A non-2xx answer of the engine; statusCode marks it as an API error, not a connection failure. */
export class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly endpoint?: string,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

export function directSupported(ep: DockerEndpoint): boolean {
  return ep.kind !== 'tcp' || ep.protocol !== 'ssh';
}

export type DockerQuery = Record<string, string | number | boolean | object | undefined>;

export function dockerQuery(query: DockerQuery): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface DockerRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** path with its query (dockerQuery) */
  path: string;
  /** sent as JSON */
  body?: unknown;
  signal?: AbortSignal;
}

function requestOptions(ep: DockerEndpoint, r: DockerRequest, env: NodeJS.ProcessEnv): RequestOptions {
  const o = dockerodeOptions(ep, env);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  const base = { path: r.path, method: r.method ?? 'GET', headers, ...(r.signal ? { signal: r.signal } : {}) };
  if (o.socketPath) {
    // servername '' skips node's TLS server-name guess (an IPv6 regex, ~10 ms to compile once) — no TLS here.
    return { ...base, socketPath: o.socketPath, servername: '' } as RequestOptions;
  }
  const tls = o.protocol === 'https' ? { ca: o.ca, cert: o.cert, key: o.key } : { servername: '' };
  return { ...base, host: o.host, port: o.port, ...tls } as RequestOptions;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // plain text (e.g. "OK" from /_ping)
  }
}

/** The engine's error answer as a DockerApiError ("(HTTP code 404) No such container: x", as dockerode words it). */
export function apiError(status: number, body: unknown, endpoint?: string): DockerApiError {
  const text = typeof body === 'string' ? body.trim() : '';
  const message =
    body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : text.slice(0, 500);
  return new DockerApiError(status, `(HTTP code ${status}) ${message || 'unexpected'}`, endpoint);
}

/** Send a request; resolve with the response stream on 2xx (the body not read yet), else a DockerApiError. */
export function dockerRequest(ep: DockerEndpoint, r: DockerRequest, env: NodeJS.ProcessEnv = process.env): Promise<IncomingMessage> {
  const https = ep.kind === 'tcp' && ep.protocol === 'https';
  const mod = process.getBuiltinModule(https ? 'node:https' : 'node:http') as typeof import('node:http');
  return new Promise<IncomingMessage>((resolve, reject) => {
    let req: ClientRequest;
    try {
      req = mod.request(requestOptions(ep, r, env), (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readAll(res).then((text) => reject(apiError(status, parse(text), ep.display)), reject);
      });
    } catch (err) {
      reject(err);
      return;
    }
    req.on('error', reject);
    req.end(r.body === undefined ? undefined : JSON.stringify(r.body));
  });
}

/** A request whose answer is JSON (or plain text, or nothing: 204). */
export async function dockerJson<T>(ep: DockerEndpoint, r: DockerRequest, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const res = await dockerRequest(ep, r, env);
  return parse(await readAll(res)) as T;
}

/** GET path (with query) and parse the JSON answer ('OK' for /_ping and other plain-text answers). */
export function dockerGetJson<T>(ep: DockerEndpoint, path: string, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  return dockerJson<T>(ep, { path, signal }, env);
}
