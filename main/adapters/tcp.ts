// TCP readiness probe. A bare "connect succeeded" proves nothing through Docker's userland proxy (it accepts
// every connection, then closes it when the container does not listen), so an accepted connection counts only
// when the peer sends something or keeps it open for holdMs. node:net is loaded on the first probe.
import type { Tcp } from '../core/deps';

export function createTcp(): Tcp {
  return {
    probe(host, port, timeoutMs, holdMs = 250) {
      const net = process.getBuiltinModule('node:net') as typeof import('node:net');
      const target = host === 'localhost' ? '127.0.0.1' : host;
      return new Promise((resolve) => {
        let settled = false;
        const timers: NodeJS.Timeout[] = [];
        const socket = net.connect({ host: target, port });
        const done = (ok: boolean, message: string) => {
          if (settled) return;
          settled = true;
          for (const t of timers) clearTimeout(t);
          socket.destroy();
          resolve({ ok, message });
        };
        timers.push(setTimeout(() => done(false, 'no answer in time'), Math.max(1, timeoutMs)));
        socket.once('connect', () => {
          timers.push(setTimeout(() => done(true, `accepted and held open ${holdMs} ms`), Math.max(0, Math.min(holdMs, timeoutMs - 1))));
        });
        socket.once('data', () => done(true, 'accepted and answered'));
        socket.once('end', () => done(false, 'accepted, then closed at once (nothing listens behind the published port yet)'));
        socket.once('close', () => done(false, 'connection closed'));
        socket.once('error', (err: NodeJS.ErrnoException) =>
          done(false, err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)),
        );
      });
    },
  };
}
