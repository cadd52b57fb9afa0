// The contract over HTTP: invoke = POST /api/invoke/<channel> with the arguments as a JSON array; events =
// one EventSource on /api/events (opened on the first subscription, shared by every listener). The session
// cookie set by the server authenticates both; a token may also be passed explicitly (header).
import type { Api, EventChannel, EventMap, InvokeArgs, InvokeChannel, InvokeValue, Result } from '../../../main/shared/contract';

export const EVENT_NAMES: readonly EventChannel[] = ['state', 'progress', 'log'];

export interface EventSourceLike {
  addEventListener(type: string, listener: (e: { data?: unknown }) => void): void;
  close(): void;
  onopen: ((e: unknown) => void) | null;
  onerror: ((e: unknown) => void) | null;
  readonly readyState: number;
}

export type EventSourceCtor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;
export type FetchLike = (
  input: string,
  init: { method: string; headers: Record<string, string>; body: string; credentials: 'same-origin' },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export type ConnectionState = 'connecting' | 'open' | 'lost';

export interface HttpApi extends Api {
  readonly transport: 'http';
  /** The event stream's state (the UI shows a banner when the dashboard server is gone). */
  onConnection(listener: (s: ConnectionState) => void): () => void;
  close(): void;
}

export interface HttpTransportOptions {
  /** Origin + path prefix of the server ('' = same origin). */
  base?: string;
  fetch?: FetchLike;
  EventSource?: EventSourceCtor;
  token?: string;
}

function failure<T>(message: string, code: 'INTERNAL' | 'USAGE' = 'INTERNAL'): Result<T> {
  return { ok: false, error: { code, message, exitCode: 1 } };
}

function isEnvelope(x: unknown): x is Result<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { ok?: unknown }).ok === 'boolean';
}

export function createHttpTransport(opts: HttpTransportOptions = {}): HttpApi {
  const base = (opts.base ?? '').replace(/\/$/, '');
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const ES: EventSourceCtor | undefined = opts.EventSource ?? (globalThis as { EventSource?: EventSourceCtor }).EventSource;
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let source: EventSourceLike | null = null;
  let connection: ConnectionState = 'connecting';

  const setConnection = (s: ConnectionState) => {
    if (s === connection) return;
    connection = s;
    for (const l of [...connectionListeners]) l(s);
  };

  function deliver(event: EventChannel, raw: unknown): void {
    const set = listeners.get(event);
    if (!set?.size || typeof raw !== 'string') return;
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return;
    }
    for (const l of [...set]) {
      try {
        (l as (p: unknown) => void)(payload);
      } catch (err) {
        console.error(`listener of "${event}" failed`, err);
      }
    }
  }

  function ensureStream(): void {
    if (source || !ES) return;
    const s = new ES(`${base}/api/events`, { withCredentials: true });
    source = s;
    s.onopen = () => setConnection('open');
    // EventSource reconnects by itself (the server asks for 1 s); CLOSED means it gave up (e.g. 401).
    s.onerror = () => setConnection(s.readyState === 2 ? 'lost' : 'connecting');
    for (const name of EVENT_NAMES) s.addEventListener(name, (e) => deliver(name, e.data));
  }

  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers['x-ktrdr-token'] = opts.token;

  return {
    transport: 'http',
    async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<InvokeValue<C>>> {
      let res: Awaited<ReturnType<FetchLike>>;
      try {
        res = await doFetch(`${base}/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(args),
          credentials: 'same-origin',
        });
      } catch (err) {
        return failure(`The dashboard server is not reachable (${err instanceof Error ? err.message : String(err)})`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      if (isEnvelope(body)) return body as Result<InvokeValue<C>>;
      if (res.status === 401) return failure('Not authorised: open the URL printed by `ktrdr-sandbox dashboard` again', 'USAGE');
      return failure(`${channel}: unexpected answer from the dashboard server (HTTP ${res.status})`);
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      ensureStream();
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(connection);
      return () => connectionListeners.delete(listener);
    },
    close() {
      source?.close();
      source = null;
    },
  };
}
