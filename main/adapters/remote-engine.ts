// The engine an instance runs on (registry v2 `engine`), as Deps (issue 13). The current engine: the base deps.
// Another unix/tcp context: deps built for that context. An ssh:// context: one ControlMaster per engine
// (ssh-tunnel.ts) forwards the remote Docker socket to a local unix socket, and the deps (dockerode, compose
// v1/v2) talk to unix://<that socket>; the slot's ports are forwarded to the same loopback ports, so links,
// `env`, `exec` and the gate are unchanged. Before `up` the source is synced (rsync over the same connection,
// to the same absolute path, so the compose file's bind mounts resolve there) and images the remote engine lacks
// are copied (docker save | docker load through the forwarded socket).
import { spawn } from 'node:child_process';
import { engineNameOf } from '../core/engines';
import { SandboxError } from '../core/errors';
import { step, type EventSink } from '../core/events';
import { LOCAL_ENGINE, type EngineSide, type InstanceEngine, type RemoteLink } from '../core/remotes';
import type { InstanceRecord } from '../shared/types';
import { engineTargetsFromSystem } from './docker-contexts';
import { resolveDockerEndpointFromSystem } from './docker-endpoint';
import { createEngineSide } from './engine-side';
import { createSshTunnel, rsyncShell, sshTargetOf, type SshTunnel } from './ssh-tunnel';

export interface RemoteSide {
  engine: string;
  endpoint: string;
  tunnel: SshTunnel;
}

interface Connected {
  side: EngineSide;
  remote: RemoteLink | null;
}

/** One connection per engine and process (the dashboard acts on many instances): keyed by home and context. */
const connected = new Map<string, Connected>();

/** The engine of `rec`, connected: the base deps' own (side null) when it runs on the current engine. */
export async function connectEngine(rec: InstanceRecord, env: NodeJS.ProcessEnv, home: string): Promise<InstanceEngine> {
  const context = rec.engine?.context ?? null;
  if (context === null) return LOCAL_ENGINE; // the common case: no docker context is even read
  const targets = engineTargetsFromSystem(env);
  const engine = engineNameOf(rec, targets);
  const current = targets.find((t) => t.current);
  if (current && current.name === context) return { name: engine, side: null, remote: null };
  const target = targets.find((t) => t.name === context);
  if (!target || target.invalid) {
    throw new SandboxError(
      'STATE',
      `The engine of "${rec.id}", docker context "${context}"${rec.engine?.endpoint ? ` (${rec.engine.endpoint})` : ''}, ${target ? `cannot be used: ${target.invalid}` : 'no longer exists'}`,
      {
        hint: `Create the context again, or record another engine: \`ktrdr-sandbox move ${rec.id} --engine default --force\`.`,
      },
    );
  }
  const key = `${home}\0${context}\0${target.endpoint}`;
  const ssh = sshTargetOf(target.endpoint);
  if (!ssh) {
    let c = connected.get(key);
    if (!c) {
      const e = target.kind === 'default' ? { ...env, DOCKER_CONTEXT: 'default' } : { ...env, DOCKER_HOST: '', DOCKER_CONTEXT: context };
      c = { side: engineSideFor(e), remote: null };
      connected.set(key, c);
    }
    return { name: engine, ...c };
  }
  let c = connected.get(key);
  if (!c) {
    const tunnel = createSshTunnel({ home, engine: context, target: ssh, env });
    c = sshEngine({ engine: context, endpoint: target.endpoint, tunnel }, env);
    connected.set(key, c);
  }
  const tunnel = (c.remote as RemoteLink & { tunnel: SshTunnel }).tunnel;
  try {
    await tunnel.ensure(); // a dropped connection comes back here, with the Docker socket
  } catch (err) {
    throw new SandboxError('ENGINE_UNAVAILABLE', `Engine "${context}" of "${rec.id}" is not reachable: ${(err as Error).message}`, {
      hint: `Check it with \`docker --context ${context} info\` (ssh keys, the host, its Docker daemon).`,
    });
  }
  return { name: engine, ...c };
}

/** The engine side for the endpoint this environment names (DOCKER_HOST / DOCKER_CONTEXT), resolved on first use. */
function engineSideFor(env: NodeJS.ProcessEnv): EngineSide {
  let endpoint: ReturnType<typeof resolveDockerEndpointFromSystem> | undefined;
  return createEngineSide(env, () => (endpoint ??= resolveDockerEndpointFromSystem(env)));
}

/** Deps over the forwarded Docker socket, and the link carrying ports, sync and images. */
function sshEngine(remote: RemoteSide, env: NodeJS.ProcessEnv): Connected {
  const forwarded = new Set<number>();
  const side = engineSideFor({ ...env, DOCKER_HOST: `unix://${remote.tunnel.dockerSocket}`, DOCKER_CONTEXT: '' });
  const ports = side.ports;
  // a port our own tunnel forwards is held by ssh here: it belongs to the instance (its remote side is checked
  // through the remote engine's container listing)
  side.ports = {
    isFree: (p, h) => (forwarded.has(p) ? Promise.resolve(true) : ports.isFree(p, h)),
    owner: (p) => (forwarded.has(p) ? Promise.resolve(null) : ports.owner(p)),
  };
  const link: RemoteLink & { tunnel: SshTunnel } = {
    engine: remote.engine,
    endpoint: remote.endpoint,
    tunnel: remote.tunnel,
    async forwardPorts(list) {
      await remote.tunnel.forwardPorts(list);
      for (const p of list) forwarded.add(p);
    },
    async cancelPorts(list) {
      await remote.tunnel.cancelPorts(list);
      for (const p of list) forwarded.delete(p);
    },
    forwarded: () => [...forwarded].sort((a, b) => a - b),
    alive: () => remote.tunnel.alive(),
    async ownPids() {
      const pid = await remote.tunnel.masterPid();
      return pid ? [pid] : [];
    },
    syncDir: (dir, opts) => syncDir(remote, dir, env, opts),
    async dirExists(dir) {
      const r = await remote.tunnel.exec(['test', '-d', dir], { timeoutMs: 10_000 });
      if (r.code !== 0 && r.code !== 1)
        throw new Error(`Could not look at ${dir} on ${remote.engine}: ${firstLine(r.stderr) || `exit ${r.code}`}`);
      return r.code === 0;
    },
    async mkdir(dir) {
      await remote.tunnel.exec(['mkdir', '-p', dir]);
    },
    async removeDir(dir) {
      const r = await remote.tunnel.exec(['rm', '-rf', '--', dir]);
      if (r.code !== 0) throw new SandboxError('STATE', `Could not remove ${dir} on ${remote.engine}: ${firstLine(r.stderr)}`);
    },
    copyMissingImages: (images, emit, id) => copyMissingImages(remote, images, env, emit, id),
    async disconnect() {
      await remote.tunnel.close();
      forwarded.clear();
    },
  };
  return { side, remote: link };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    c.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    c.on('error', (e) => resolve({ code: 127, out, err: e.message }));
    c.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean) ?? '';

/** rsync of dir to the same path on the remote host: git-ignored files, .git and .env.sandbox* stay here. */
export async function syncDir(
  remote: RemoteSide,
  dir: string,
  env: NodeJS.ProcessEnv,
  opts: { gitIgnore?: boolean } = {},
): Promise<{ ms: number; files: number }> {
  const t0 = Date.now();
  const filters =
    opts.gitIgnore === false
      ? []
      : ['--exclude=/.git', '--exclude=/.env.sandbox*', '--exclude=/.sandbox-evidence', '--filter=:- .gitignore'];
  // the directory is made on the remote side by the same connection (--mkpath needs rsync ≥ 3.2.3 on both)
  const mkdir = `mkdir -p '${dir.replace(/'/g, `'\\''`)}' && rsync`;
  const args = [
    '-a',
    '--delete',
    '--stats',
    ...filters,
    `--rsync-path=${mkdir}`,
    '-e',
    rsyncShell(remote.tunnel.target, remote.tunnel.control),
    `${dir}/`,
    `${remote.tunnel.target.host}:${dir}/`,
  ];
  const r = await run('rsync', args, env);
  if (r.code === 127)
    throw new SandboxError('STATE', 'rsync is not installed: it carries the source to remote engines', {
      hint: 'Install it (apt-get install rsync, brew install rsync) on this machine and on the remote host.',
    });
  if (r.code !== 0) throw new Error(`rsync to ${remote.engine}:${dir} failed: ${firstLine(r.err) || `exit ${r.code}`}`);
  const files = Number(/Number of regular files transferred: ([\d,.]+)/.exec(r.out)?.[1]?.replace(/[,.]/g, '') ?? 0);
  return { ms: Date.now() - t0, files };
}

/** Images present here but missing on the remote engine, copied with docker save | docker load over the socket. */
export async function copyMissingImages(
  remote: RemoteSide,
  images: string[],
  env: NodeJS.ProcessEnv,
  emit: EventSink,
  id: string,
): Promise<string[]> {
  const remoteEnv = { ...env, DOCKER_HOST: `unix://${remote.tunnel.dockerSocket}`, DOCKER_CONTEXT: '' };
  const copied: string[] = [];
  for (const image of images) {
    if ((await run('docker', ['image', 'inspect', '-f', '{{.Id}}', image], remoteEnv)).code === 0) continue;
    const local = await run('docker', ['image', 'inspect', '-f', '{{.Size}}', image], env);
    if (local.code !== 0) continue; // neither here: compose pulls or builds it there
    const mb = Math.round(Number(local.out.trim()) / 1024 ** 2);
    await step(emit, id, 'image-copy', `Image ${image} (${mb} MB) copied to engine ${remote.engine} (save | load)`, async () => {
      const r = await run(
        'sh',
        ['-c', 'docker save "$1" | DOCKER_HOST="$2" DOCKER_CONTEXT= docker load -q', 'sh', image, remoteEnv.DOCKER_HOST],
        env,
      );
      if (r.code !== 0) throw new Error(`copy of ${image} to ${remote.engine} failed: ${firstLine(r.err)}`);
    });
    copied.push(image);
  }
  return copied;
}
