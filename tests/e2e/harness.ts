// Helpers of the dashboard e2e test that need none of its state: raw HTTP requests with forged headers, free
// ports, the preset's ports of a slot, a process's resident memory.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';

export interface RawRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Raw request with full control over Host/Origin headers (fetch would not let us forge Host). */
export function rawRequest(port: number, opts: RawRequest): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers, setHost: !opts.headers?.host },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port: p, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Ports of slot n in the KTRDR preset (the fixture has no manifest). */
export function slotPortList(n: number): number[] {
  return [
    8000 + n,
    5432 + n,
    3000 + n,
    16686 + n,
    9090 + n,
    4317 + 10 * n,
    4318 + 10 * n,
    5000 + 10 * n,
    5001 + 10 * n,
    5002 + 10 * n,
    5003 + 10 * n,
  ];
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
