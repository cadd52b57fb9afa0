// A second, real Docker engine for the tests: a container from tests/fixtures/remote-host (Debian's docker.io
// + sshd), its sshd published on 127.0.0.1 only, a generated ed25519 key, and a docker context
// `ssh://root@127.0.0.1:<port>` in the world's HOME. All traffic stays on loopback.
//
// ssh reads ~/.ssh/config from the passwd home, not $HOME, so a temp HOME alone cannot point it at the test key:
// an `ssh` wrapper (first on PATH) adds `-F <config>`. The docker CLI and our engine probe both run `ssh` from
// PATH, so both use it.
import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeWorld, ROOT, type CliResult, type World } from './world';

export const REMOTE_HOST_IMAGE = 'kts-remote-host:1';
/** The outer engine may lack capabilities `--privileged` asks for ("unable to apply caps"): these are enough. */
const CAPS = ['SYS_ADMIN', 'NET_ADMIN', 'MKNOD', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'IPC_LOCK', 'NET_RAW', 'SETFCAP'];

export interface RemoteHost {
  container: string;
  port: number;
  context: string;
  /** env for the CLI / docker: PATH with the ssh wrapper, DOCKER_CONFIG in the world's HOME */
  env: Record<string, string>;
  key: string;
  sshConfig: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** run a docker command against the remote engine (through its context) */
  docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Build (cached layers: ~1 s when unchanged) the remote-host image. */
export async function buildRemoteHostImage(): Promise<void> {
  const r = await execa('docker', ['build', '-q', '-t', REMOTE_HOST_IMAGE, join(ROOT, 'tests', 'fixtures', 'remote-host')], {
    reject: false,
    timeout: 600_000,
  });
  if (r.exitCode !== 0) throw new Error(`Could not build ${REMOTE_HOST_IMAGE}:\n${r.stderr}`);
}

export async function startRemoteHost(opts: { root: string; home: string; name: string }): Promise<RemoteHost> {
  const dir = join(opts.root, 'remote-host');
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const key = join(dir, 'id_ed25519');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kts-eng-test', '-f', key]);
  const pub = (await execa('cat', [`${key}.pub`])).stdout.trim();
  const sshConfig = join(dir, 'ssh_config');
  await writeFile(
    sshConfig,
    [
      'Host 127.0.0.1',
      '  User root',
      `  IdentityFile ${key}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  LogLevel ERROR',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${sshConfig}' "$@"\n`);
  await chmod(join(bin, 'ssh'), 0o755);

  // a fixed host port (chosen free now) so a stop/start keeps the context's endpoint valid
  const port = await freePort();
  const container = `kts-eng-remote-${opts.name}-${process.pid}`;
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: opts.home,
    DOCKER_CONFIG: join(opts.home, '.docker'),
  };
  const run = await execa(
    'docker',
    [
      'run',
      '-d',
      '--name',
      container,
      '--label',
      'dev.ktrdr-sandbox.test=remote-host',
      ...CAPS.flatMap((c) => ['--cap-add', c]),
      '--cgroupns',
      'private',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'apparmor=unconfined',
      '-p',
      `127.0.0.1:${port}:22`,
      // the inner engine's storage on a volume: overlay2 works there (vfs, on the container's own overlay, copies
      // every layer whole: a 550 MB image took GBs). Removed with the container (cleanup: rm -v).
      '-v',
      '/var/lib/docker',
      '-e',
      `AUTHORIZED_KEY=${pub}`,
      REMOTE_HOST_IMAGE,
    ],
    { reject: false },
  );
  if (run.exitCode !== 0) throw new Error(`Could not start the remote host: ${run.stderr}`);
  const context = `kts-eng-${opts.name}`;
  const host: RemoteHost = {
    container,
    port,
    context,
    env,
    key,
    sshConfig,
    async docker(args) {
      const r = await execa('docker', ['--context', context, ...args], {
        env: { ...process.env, ...env },
        reject: false,
        timeout: 120_000,
      });
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async stop() {
      await execa('docker', ['stop', '-t', '2', container]);
    },
    async start() {
      await execa('docker', ['start', container]);
      await waitReady();
    },
    async cleanup() {
      await execa('docker', ['unpause', container], { reject: false }); // a paused container cannot be removed
      await execa('docker', ['rm', '-f', '-v', container], { reject: false }); // -v: its anonymous volumes too
      await execa('docker', ['context', 'rm', '-f', context], { env: { ...process.env, ...env }, reject: false });
    },
  };
  async function waitReady(): Promise<void> {
    const t0 = Date.now();
    let last = '';
    for (let i = 0; i < 60 && Date.now() - t0 < 60_000; i++) {
      const r = await execa('ssh', ['-p', String(port), 'root@127.0.0.1', 'docker', 'info', '--format', '{{.ServerVersion}}'], {
        env: { ...process.env, ...env },
        reject: false,
        timeout: 10_000,
      });
      if (r.exitCode === 0 && r.stdout.trim()) return;
      last = String(r.stderr).trim();
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`The remote host did not become ready within 60 s: ${last}`);
  }
  try {
    await waitReady();
    const ctx = await execa(
      'docker',
      ['context', 'create', context, '--description', 'kts test remote host', '--docker', `host=ssh://root@127.0.0.1:${port}`],
      {
        env: { ...process.env, ...env },
        reject: false,
      },
    );
    if (ctx.exitCode !== 0) throw new Error(`docker context create failed: ${ctx.stderr}`);
  } catch (err) {
    await host.cleanup();
    throw err;
  }
  return host;
}

/** A world (temp HOME + fixture repository) and a remote host whose docker context lives in that HOME. */
export interface RemoteWorld {
  world: World;
  remote: RemoteHost;
  /** The CLI with the remote host's env (the ssh wrapper on PATH), in the repository unless cwd says otherwise. */
  cli(args: string[], opts?: { cwd?: string; timeoutMs?: number }): Promise<CliResult>;
  /** Run these CLI commands (the test's destroys; failures ignored), then remove the remote host and the world. */
  close(commands: string[][]): Promise<void>;
}

/** The world set-up of every remote-engine test; prepare (e.g. a manifest committed) runs before the host starts. */
export async function remoteWorld(name: string, prepare?: (world: World) => Promise<void>): Promise<RemoteWorld> {
  const world = await makeWorld(name);
  let remote: RemoteHost;
  try {
    await prepare?.(world);
    await buildRemoteHostImage();
    remote = await startRemoteHost({ root: world.root, home: world.home, name });
  } catch (err) {
    await world.cleanup();
    throw err;
  }
  return {
    world,
    remote,
    cli: (args, o = {}) => world.cli(args, { env: remote.env, timeoutMs: o.timeoutMs ?? 600_000, cwd: o.cwd ?? world.repo }),
    async close(commands) {
      for (const args of commands) await world.cli(args, { env: remote.env }).catch(() => undefined);
      await remote.cleanup();
      await world.cleanup();
    },
  };
}
