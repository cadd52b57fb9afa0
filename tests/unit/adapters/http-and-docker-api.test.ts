// The readiness-probe HTTP client and the plain Docker API GET, against real loopback servers: "localhost"
// goes to 127.0.0.1 then ::1 with the Host header the URL names; a fake engine on a unix socket answers the
// Docker GETs (JSON, plain text, API errors with their status code, connection errors).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttp } from '../../../main/adapters/http';
import { DockerApiError, directSupported, dockerGetJson, dockerJson, dockerQuery, dockerRequest } from '../../../main/adapters/docker-api';
import { parseDockerHost } from '../../../main/adapters/docker-endpoint';
import { isConnectionError } from '../../../main/adapters/engine-errors';

function listen(server: Server, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => resolve());
  });
}

describe('readiness HTTP client', () => {
  const seen: IncomingHttpHeaders[] = [];
  const handler = (tag: string) => (req: { headers: IncomingHttpHeaders; url?: string }, res: { end(s: string): void }) => {
    seen.push(req.headers);
    res.end(`${tag} ${req.url}`);
  };
  const v4 = createServer(handler('v4'));
  const v6 = createServer(handler('v6'));
  let v6port = 0;

  beforeAll(async () => {
    await listen(v4, 0, '127.0.0.1');
    await listen(v6, 0, '::1'); // a port only ::1 listens on
    v6port = (v6.address() as { port: number }).port;
  });
  afterAll(() => {
    v4.close();
    v6.close();
  });

  it('sends "localhost" to 127.0.0.1 with the Host header of the URL', async () => {
    const port = (v4.address() as { port: number }).port;
    const r = await createHttp().get(`http://localhost:${port}/api/v1/health?x=1`, 2000);
    expect(r).toEqual({ status: 200, body: 'v4 /api/v1/health?x=1' });
    expect(seen.at(-1)!.host).toBe(`localhost:${port}`);
  });

  it('falls back to ::1 when nothing listens on 127.0.0.1', async () => {
    const r = await createHttp().get(`http://localhost:${v6port}/ready`, 2000);
    expect(r.body).toBe('v6 /ready');
    expect(seen.at(-1)!.host).toBe(`localhost:${v6port}`);
  });

  it('a request that never answers: "timed out" after the timeout', async () => {
    const silent = createServer(() => undefined);
    await listen(silent, 0, '127.0.0.1');
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(createHttp().get(`http://localhost:${port}/`, 100)).rejects.toThrow(
        `GET http://localhost:${port}/ timed out after 100 ms`,
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('IP literals are used as given; a closed port is an error naming the URL', async () => {
    const port = (v4.address() as { port: number }).port;
    expect((await createHttp().get(`http://127.0.0.1:${port}/a`, 2000)).body).toBe('v4 /a');
    expect((await createHttp().get(`http://[::1]:${v6port}/b`, 2000)).body).toBe('v6 /b');
    const closed = createServer();
    await listen(closed, 0, '127.0.0.1');
    const free = (closed.address() as { port: number }).port;
    closed.close();
    await expect(createHttp().get(`http://localhost:${free}/x`, 2000)).rejects.toThrow(`GET http://localhost:${free}/x failed`);
  });
});

describe('Docker API GET', () => {
  let dir: string;
  let sock: string;
  const engine = createServer((req, res) => {
    if (req.url === '/_ping') return res.end('OK');
    if (req.method === 'POST' && req.url === '/networks/create') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.statusCode = 201;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ Id: 'net1', got: JSON.parse(Buffer.concat(chunks).toString()), type: req.headers['content-type'] }));
      });
      return;
    }
    if (req.method === 'DELETE' && req.url === '/volumes/v1') {
      res.statusCode = 204;
      return res.end();
    }
    if (req.url === '/events') {
      res.write('{"a":1}\n');
      setTimeout(() => res.end('{"a":2}\n'), 20);
      return;
    }
    if (req.url?.startsWith('/containers/json')) {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify([{ Id: 'abc', url: req.url }]));
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ message: 'No such container: nope' }));
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kts-api-'));
    sock = join(dir, 'docker.sock');
    await listen(engine, sock);
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queries are encoded the way the engine reads them (filters as JSON)', () => {
    expect(dockerQuery({ all: true, filters: { label: ['com.docker.compose.project=a b'] }, skip: undefined })).toBe(
      '?all=true&filters=%7B%22label%22%3A%5B%22com.docker.compose.project%3Da%20b%22%5D%7D',
    );
    expect(dockerQuery({})).toBe('');
  });

  it('GETs JSON and plain text over the unix socket', async () => {
    const ep = parseDockerHost(`unix://${sock}`, 'DOCKER_HOST');
    const signal = AbortSignal.timeout(2000);
    expect(await dockerGetJson(ep, '/_ping', signal)).toBe('OK');
    const list = await dockerGetJson<Array<{ Id: string; url: string }>>(ep, `/containers/json${dockerQuery({ all: true })}`, signal);
    expect(list).toEqual([{ Id: 'abc', url: '/containers/json?all=true' }]);
  });

  it('POSTs a JSON body, DELETEs (204: nothing), and hands back a raw stream as it arrives', async () => {
    const ep = parseDockerHost(`unix://${sock}`, 'DOCKER_HOST');
    expect(await dockerJson(ep, { method: 'POST', path: '/networks/create', body: { Name: 'n', Labels: { a: 'b' } } })).toEqual({
      Id: 'net1',
      got: { Name: 'n', Labels: { a: 'b' } },
      type: 'application/json',
    });
    expect(await dockerJson(ep, { method: 'DELETE', path: '/volumes/v1' })).toBe('');
    const events = await dockerRequest(ep, { path: '/events' });
    const chunks: string[] = [];
    for await (const c of events) chunks.push(String(c));
    expect(chunks.join('')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('API errors carry the status code and are not connection errors; a missing socket is one', async () => {
    const ep = parseDockerHost(`unix://${sock}`, 'DOCKER_HOST');
    const err = await dockerGetJson(ep, '/containers/nope/json', AbortSignal.timeout(2000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect((err as DockerApiError).statusCode).toBe(404);
    expect((err as Error).message).toBe('(HTTP code 404) No such container: nope');
    expect((err as DockerApiError).endpoint).toBe(ep.display);
    expect(isConnectionError(err)).toBe(false);
    const gone = await dockerGetJson(parseDockerHost(`unix://${dir}/none.sock`, 'DOCKER_HOST'), '/_ping', AbortSignal.timeout(2000)).catch(
      (e: unknown) => e,
    );
    expect(isConnectionError(gone)).toBe(true);
  });

  it('ssh endpoints stay on dockerode', () => {
    expect(directSupported(parseDockerHost('ssh://me@host', 'DOCKER_HOST'))).toBe(false);
    expect(directSupported(parseDockerHost('tcp://127.0.0.1:2376', 'DOCKER_HOST'))).toBe(true);
    expect(directSupported(parseDockerHost(`unix://${sock}`, 'DOCKER_HOST'))).toBe(true);
  });
});
