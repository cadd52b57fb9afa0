import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcp } from '../../../main/adapters/tcp';

const servers: Server[] = [];
async function listen(onConn: (s: import('node:net').Socket) => void): Promise<number> {
  const srv = createServer(onConn);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return (srv.address() as { port: number }).port;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(() => r(undefined)));
});

describe('tcp probe (real sockets on loopback)', () => {
  const tcp = createTcp();
  it('passes when the peer keeps the connection open, or answers', async () => {
    const quiet = await listen(() => undefined);
    expect(await tcp.probe('127.0.0.1', quiet, 2000, 100)).toMatchObject({ ok: true, message: expect.stringMatching(/held open/) });
    const talker = await listen((s) => s.write('hello\n'));
    expect(await tcp.probe('localhost', talker, 2000, 1000)).toMatchObject({ ok: true, message: 'accepted and answered' });
  });

  it("fails when the connection is accepted then closed at once (what Docker's proxy does with nothing behind it)", async () => {
    const closer = await listen((s) => s.end());
    expect(await tcp.probe('127.0.0.1', closer, 2000, 300)).toMatchObject({ ok: false, message: expect.stringMatching(/closed/) });
  });

  it('fails when nothing listens', async () => {
    const port = await listen(() => undefined);
    await new Promise((r) => servers.pop()!.close(() => r(undefined)));
    expect(await tcp.probe('127.0.0.1', port, 2000, 100)).toEqual({ ok: false, message: 'connection refused' });
  });
});
