// The dashboard's server-sent event stream (GET /api/events): each client gets the current state at once, then
// every event the server broadcasts. A client that stops reading is dropped rather than buffered without bound.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventChannel, EventMap, Snapshot } from '../shared/contract';
import type { EventSender } from '../ui-backend/types';
import { sendText } from './http-responses';

interface SseClient {
  res: ServerResponse;
}

export interface EventStream {
  /** Send one event to every connected client. */
  broadcast: EventSender;
  /** Answer GET /api/events: the request becomes a client until it closes. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** A comment frame to every client (keeps proxies and idle connections from closing the stream). */
  ping(): void;
  /** Connected clients. */
  size(): number;
  /** End every client's stream. */
  endAll(): void;
}

/** current: the snapshot a new client starts from; onEmpty: the last client went away. */
export function createEventStream(current: () => Snapshot, onEmpty: () => void): EventStream {
  const clients = new Set<SseClient>();
  const broadcast: EventSender = <E extends EventChannel>(event: E, payload: EventMap[E]) => {
    if (!clients.size) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of clients) {
      // a client that stopped reading is dropped rather than buffered without bound
      if (c.res.writableLength > 8 * 1024 * 1024) {
        c.res.destroy();
        clients.delete(c);
        continue;
      }
      c.res.write(frame);
    }
  };

  function open(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      sendText(res, 405, 'Use GET');
      return;
    }
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 1000\n\nevent: state\ndata: ${JSON.stringify(current())}\n\n`);
    const client: SseClient = { res };
    clients.add(client);
    const gone = () => {
      if (!clients.delete(client)) return;
      if (clients.size === 0) onEmpty(); // nobody can see the lines any more
    };
    req.on('close', gone);
    res.on('error', gone);
  }

  return {
    broadcast,
    open,
    ping() {
      for (const c of clients) c.res.write(': ping\n\n');
    },
    size: () => clients.size,
    endAll() {
      for (const c of clients) c.res.end();
      clients.clear();
    },
  };
}
