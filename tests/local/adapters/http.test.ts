// Http adapter against a local server on 127.0.0.1.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttp, MAX_BODY_BYTES } from '../../../main/adapters/http';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ok') return void res.end('fine');
    if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
    if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (req.url === '/big') return void res.end('x'.repeat(MAX_BODY_BYTES * 3));
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.writeHead(503).end('down');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('Http', () => {
  const h = createHttp();
  it('status and body', async () => {
    expect(await h.get(`${base}/ok`, 2000)).toEqual({ status: 200, body: 'fine' });
    expect(await h.get(`${base}/nope`, 2000)).toEqual({ status: 503, body: 'down' });
    expect(await h.get(`${base}/redirect`, 2000)).toEqual({ status: 200, body: 'fine' });
    // A redirect loop ends after 5 hops with the last answer, not a hang.
    expect((await h.get(`${base}/loop`, 2000)).status).toBe(302);
  });
  it('truncates big bodies', async () => {
    const r = await h.get(`${base}/big`, 2000);
    expect(r.body.length).toBe(MAX_BODY_BYTES);
  });
  it('rejects on timeout and on refused connections', async () => {
    const t0 = Date.now();
    await expect(h.get(`${base}/slow`, 200)).rejects.toThrow(/timed out after 200 ms/);
    expect(Date.now() - t0).toBeLessThan(1500);
    await expect(h.get('http://127.0.0.1:1/', 1000)).rejects.toThrow(/failed/);
  });
});
