// Port probe with real sockets on 127.0.0.1.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createPortProbe } from '../../../main/adapters/port-probe';

const probe = createPortProbe();
// Who holds a port is known on Linux (/proc) and macOS (lsof); elsewhere owner() answers null, by design.
const NAMES_OWNERS = process.platform === 'linux' || process.platform === 'darwin';
const servers: net.Server[] = [];

async function listen(port = 0): Promise<number> {
  const server = net.createServer((s) => s.destroy());
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('PortProbe', () => {
  it('a port we listen on is not free, and we are its owner', async () => {
    const port = await listen();
    expect(await probe.isFree(port)).toBe(false);
    expect(await probe.isFree(port, '127.0.0.1')).toBe(false);
    const t0 = performance.now();
    const owner = await probe.owner(port);
    const ms = performance.now() - t0;
    if (NAMES_OWNERS) {
      expect(owner?.pid).toBe(process.pid);
      expect(owner?.command).toMatch(/node|vitest/);
      expect(owner!.command.length).toBeLessThanOrEqual(200);
    } else {
      expect(owner).toBeNull();
    }
    expect(ms).toBeLessThan(1000);
  });

  it('a free port is free and has no owner', async () => {
    const port = await freePort();
    expect(await probe.isFree(port)).toBe(true);
    expect(await probe.owner(port)).toBeNull();
    // probing leaves nothing behind
    expect(await probe.isFree(port)).toBe(true);
  });

  it(`${NAMES_OWNERS ? 'finds' : 'answers null for'} the owner of a port held by another process (${process.platform})`, async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(0,'127.0.0.1',function(){console.log(this.address().port)})"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const port = Number(chunk.toString().trim());
      expect(await probe.isFree(port)).toBe(false);
      const owner = await probe.owner(port);
      if (NAMES_OWNERS) {
        expect(owner?.pid).toBe(child.pid);
        expect(owner?.command).toContain('createServer');
      } else {
        expect(owner).toBeNull();
      }
    } finally {
      child.kill();
    }
  });
});
