// The ssh transport against a real remote host (Docker engine + sshd in a container, on 127.0.0.1): one
// ControlMaster carrying the forwarded Docker socket and a port; an image copied with save | load through the
// forwarded socket; the connection re-established after the host restarts; closed cleanly.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTunnel, sshTargetOf, type SshTunnel } from '../../main/adapters/ssh-tunnel';
import { buildRemoteHostImage, startRemoteHost, type RemoteHost } from './remote-host';
import { httpGet, makeWorld, type World } from './world';

let world: World;
let remote: RemoteHost;
let tunnel: SshTunnel;
let port: number;
const home = () => `${world.home}/.ktrdr/sandbox`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}
const viaTunnel = (args: string[], opts: { input?: string } = {}) =>
  execa('docker', ['-H', `unix://${tunnel.dockerSocket}`, ...args], { reject: false, timeout: 300_000, ...opts });

beforeAll(async () => {
  world = await makeWorld('engtun');
  await buildRemoteHostImage();
  remote = await startRemoteHost({ root: world.root, home: world.home, name: 'engtun' });
  tunnel = createSshTunnel({
    home: home(),
    engine: remote.context,
    target: sshTargetOf(`ssh://root@127.0.0.1:${remote.port}`)!,
    env: { ...process.env, ...remote.env },
  });
  port = await freePort();
}, 180_000);

afterAll(async () => {
  await tunnel?.close().catch(() => undefined);
  await remote?.cleanup();
  await world?.cleanup();
});

describe('ssh tunnel', () => {
  it('one master: the remote Docker socket answers on a local unix socket (short path under the home); ensure is idempotent', async () => {
    const t0 = Date.now();
    await tunnel.ensure();
    const first = Date.now() - t0;
    const t1 = Date.now();
    await tunnel.ensure();
    const again = Date.now() - t1;
    process.stdout.write(`[tunnel] master + docker socket in ${first} ms; ensure when up: ${again} ms\n`);
    expect(tunnel.dockerSocket.startsWith(`${home()}/ssh/`)).toBe(true);
    expect(await tunnel.alive()).toBe(true);
    const v = await viaTunnel(['info', '--format', '{{.Name}} {{.Driver}}']);
    expect(v.exitCode, v.stderr).toBe(0);
    // the remote engine, not this one
    const local = await execa('docker', ['info', '--format', '{{.Name}}']);
    expect(v.stdout.split(' ')[0]).not.toBe(local.stdout.trim());
    expect(again).toBeLessThan(1000);
  });

  it('an image copied with docker save | docker load through the forwarded socket; a port forwarded to the remote loopback', async () => {
    const t0 = Date.now();
    const copy = await execa('sh', ['-c', `docker save ktrdr-sandbox-fixture:1 | docker -H unix://${tunnel.dockerSocket} load -q`], {
      reject: false,
      timeout: 600_000,
    });
    expect(copy.exitCode, copy.stderr).toBe(0);
    process.stdout.write(`[tunnel] ktrdr-sandbox-fixture:1 copied in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const run = await viaTunnel([
      'run',
      '-d',
      '--name',
      'kts-eng-tunnel-web',
      '--restart',
      'unless-stopped',
      '-p',
      `127.0.0.1:${port}:8000`,
      'ktrdr-sandbox-fixture:1',
      'python3',
      '-m',
      'http.server',
      '8000',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    await expect(httpGet(`http://127.0.0.1:${port}/`)).rejects.toThrow(); // not forwarded yet: nothing here
    await tunnel.forwardPorts([port]);
    await tunnel.forwardPorts([port]); // again: replaced, not refused
    let got: { status: number } | undefined;
    for (let i = 0; i < 40 && !got; i++) {
      got = await httpGet(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (!got) await new Promise((r) => setTimeout(r, 250));
    }
    expect(got?.status).toBe(200);
  }, 600_000);

  it('after the remote host restarts, ensure() re-establishes the master and the forwards come back', async () => {
    await remote.stop();
    let dead = false;
    for (let i = 0; i < 40 && !dead; i++) {
      dead = !(await tunnel.alive());
      if (!dead) await new Promise((r) => setTimeout(r, 500));
    }
    expect(dead, 'the master outlived its host by 20 s').toBe(true);
    await expect(tunnel.ensure()).rejects.toThrow(/ssh to root@127\.0\.0\.1:\d+ failed/);
    await remote.start();
    await tunnel.ensure();
    await tunnel.forwardPorts([port]);
    let got: { status: number } | undefined;
    for (let i = 0; i < 60 && !got; i++) {
      got = await httpGet(`http://127.0.0.1:${port}/`).catch(() => undefined);
      if (!got) await new Promise((r) => setTimeout(r, 500));
    }
    expect(got?.status).toBe(200);
  }, 120_000);

  it('close ends the master, its forwards and the socket', async () => {
    await tunnel.close();
    expect(await tunnel.alive()).toBe(false);
    expect(existsSync(tunnel.dockerSocket)).toBe(false);
    await expect(httpGet(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
