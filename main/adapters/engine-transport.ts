// The one HTTP client of the engine adapter (engine.ts): JSON and stream requests to the Docker API over a unix
// socket, a named pipe or tcp/TLS (docker-api.ts), or — for an ssh:// DOCKER_HOST only — through dockerode's
// modem as the tunnel; every call bounded by a timeout and a ping watchdog, every failure mapped to one error
// shape (EngineUnavailableError or DockerApiError, engine-errors.ts).
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type DockerModem from 'docker-modem';
import { EngineUnavailableError } from '../core/deps';
import { directSupported, dockerJson, dockerQuery, dockerRequest, type DockerQuery } from './docker-api';
import { dockerodeOptions, type DockerEndpoint } from './docker-endpoint';
import { mapEngineError, timeoutMessage, unavailableMessage } from './engine-errors';

// A refused or missing socket fails at once. A socket that accepts and never answers (a hung engine) is found
// by the ping's own timeout, and for every other call by a watchdog: when a call has not answered after
// WATCH_AFTER_MS, the engine is pinged (a /_ping costs the engine next to nothing, even when a listing or an
// exec is slow); no answer within the ping timeout → EngineUnavailableError, so every command says "Docker
// unavailable" (exit 4) within ~2 s, while a slow call on a live engine keeps its own, longer timeout.
// KTRDR_SANDBOX_PING_TIMEOUT_MS raises the ping timeout on a machine where the engine answers more slowly.
export const DEFAULT_PING_MS = 1_200;
const WATCH_AFTER_MS = 100;
const WATCH_EVERY_MS = 2_000;

export function pingTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = env.KTRDR_SANDBOX_PING_TIMEOUT_MS;
  return v && /^[0-9]{1,7}$/.test(v) && Number(v) > 0 ? Number(v) : DEFAULT_PING_MS;
}

export interface EngineTransport {
  /** The ping timeout in use (and the watchdog's). */
  pingMs: number;
  /** A bare GET /_ping within ms: resolves when the engine answers, else EngineUnavailableError. */
  alive(ms: number): Promise<void>;
  /** fn under a timeout of ms and the ping watchdog (watch: false for the ping itself); errors mapped. */
  call<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, watch?: boolean): Promise<T>;
  /** A request answered with JSON (or nothing). */
  json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, query: DockerQuery, signal: AbortSignal | undefined, body?: unknown): Promise<T>;
  getJson<T>(path: string, query: DockerQuery, signal: AbortSignal): Promise<T>;
  /** A request answered with a raw stream (logs, exec output, events); the caller reads and ends it. */
  stream(method: 'GET' | 'POST', path: string, query: DockerQuery, signal?: AbortSignal, body?: unknown): Promise<Readable>;
}

export function createEngineTransport(
  endpoint: DockerEndpoint,
  options: { env?: NodeJS.ProcessEnv; pingTimeoutMs?: number } = {},
): EngineTransport {
  const env = options.env ?? process.env;
  let client: Promise<Dockerode> | undefined;
  // ssh:// only: dockerode's modem carries the requests through its ssh tunnel
  const docker = (): Promise<Dockerode> => (client ??= import('dockerode').then((m) => new m.default(dockerodeOptions(endpoint, env))));
  const direct = directSupported(endpoint);

  const pingMs = options.pingTimeoutMs ?? pingTimeoutMs(env);

  /** A bare GET /_ping under its own timeout: resolves when the engine answers, else EngineUnavailableError. */
  async function alive(ms: number): Promise<void> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), ms);
    try {
      await getJson<unknown>('/_ping', {}, ac.signal);
    } catch (err) {
      if (ac.signal.aborted) throw new EngineUnavailableError(timeoutMessage(endpoint, ms), endpoint.display);
      const mapped = mapEngineError(err, endpoint);
      // an API error (e.g. 500 while the daemon shuts down) is not "alive" either
      throw mapped instanceof EngineUnavailableError
        ? mapped
        : new EngineUnavailableError(`${unavailableMessage(endpoint)} (${(err as Error).message})`, endpoint.display);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run fn with an abort signal; reject with EngineUnavailableError after ms, or as soon as the watchdog's ping
   * goes unanswered (watch: false for the ping itself); map connection errors.
   */
  async function call<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, watch = true): Promise<T> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let watcher: NodeJS.Timeout | undefined;
    let finished = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new EngineUnavailableError(timeoutMessage(endpoint, ms), endpoint.display));
        ac.abort();
      }, ms);
      if (!watch || ms <= WATCH_AFTER_MS + pingMs) return;
      const check = () => {
        alive(pingMs).then(
          () => {
            if (!finished) watcher = setTimeout(check, WATCH_EVERY_MS);
          },
          (err: unknown) => {
            if (finished) return;
            reject(err);
            ac.abort();
          },
        );
      };
      watcher = setTimeout(check, WATCH_AFTER_MS);
    });
    timeout.catch(() => undefined);
    const work = (async () => fn(ac.signal))();
    work.catch(() => undefined); // the loser of the race must not become an unhandled rejection
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      throw mapEngineError(err, endpoint);
    } finally {
      finished = true;
      clearTimeout(timer);
      clearTimeout(watcher);
    }
  }

  async function dial<T>(opts: DockerModem.DialOptions): Promise<T> {
    const d = await docker();
    return new Promise<T>((resolve, reject) => {
      d.modem.dial(opts, (err, data) => (err ? reject(err) : resolve(data as T)));
    });
  }

  const ANY_STATUS = {
    200: true,
    201: true,
    204: true,
    304: true,
    400: 'bad parameter',
    404: 'not found',
    409: 'conflict',
    500: 'server error',
  } as const;

  /** The modem's request (ssh://): the query, or the body with the query beside it (dockerode's convention). */
  function modemOptions(path: string, method: string, query: DockerQuery, body: unknown): DockerModem.DialOptions {
    const options = body === undefined ? query : Object.keys(query).length ? { _query: query, _body: body } : body;
    return { path: `${path}?`, method, options: options as DockerModem.DialOptions['options'], statusCodes: ANY_STATUS };
  }

  /** A request answered with JSON (or nothing). */
  function json<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: DockerQuery,
    signal: AbortSignal | undefined,
    body?: unknown,
  ): Promise<T> {
    if (direct) return dockerJson<T>(endpoint, { method, path: `${path}${dockerQuery(query)}`, body, ...(signal ? { signal } : {}) }, env);
    const opts = modemOptions(path, method, query, body);
    if (signal) opts.abortSignal = signal;
    return dial<T>(opts);
  }

  function getJson<T>(path: string, query: DockerQuery, signal: AbortSignal): Promise<T> {
    return json<T>('GET', path, query, signal);
  }

  /** A request answered with a raw stream (logs, exec output, events); the caller reads and ends it. */
  async function stream(method: 'GET' | 'POST', path: string, query: DockerQuery, signal?: AbortSignal, body?: unknown): Promise<Readable> {
    if (direct) return dockerRequest(endpoint, { method, path: `${path}${dockerQuery(query)}`, body, ...(signal ? { signal } : {}) }, env);
    const opts = { ...modemOptions(path, method, query, body), isStream: true };
    if (signal) opts.abortSignal = signal;
    return dial<Readable>(opts);
  }

  return { pingMs, alive, call, json, getJson, stream };
}
