// The engine an instance runs on (registry v2 `engine`), as Deps (issue 13). The current engine: the base deps.
// Another unix/tcp context: deps built for that context. An ssh:// context: one ControlMaster per engine
// (ssh-tunnel.ts) forwards the remote Docker socket to a local unix socket, and the deps (dockerode, compose
// v1/v2) talk to unix://<that socket>; the slot's ports are forwarded to the same loopback ports, so links,
// `env`, `exec` and the gate are unchanged. Before `up` the source is synced (rsync over the same connection,
// to the same absolute path, so the compose file's bind mounts resolve there) and images the remote engine lacks
// are copied (docker save | docker load through the forwarded socket).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Deps } from '../core/deps';
import { engineNameOf } from '../core/engines';
import { SandboxError } from '../core/errors';
import { step, type EventSink } from '../core/events';
import type { InstanceRecord } from '../core/types';
import { engineTargetsFromSystem } from './docker-contexts';
import { createDeps } from './index';
import { createSshTunnel, rsyncShell, sshTargetOf, type SshTunnel } from './ssh-tunnel';

export interface RemoteSide {
  engine: string;
  endpoint: string;
  tunnel: SshTunnel;
}

export interface EngineDeps {
  deps: Deps;
  /** the engine's name as `engines` lists it */
  engine: string;
  /** set for an ssh:// engine: the connection carrying the socket and the ports */
  remote: RemoteSide | null;
  /** ports forwarded by the tunnel: the port pre-check counts them as ours */
  forwarded: Set<number>;
}

/** Deps acting on the engine of `rec` (the base deps when it runs on the current engine). */
export async function depsForEngine(base: Deps, rec: InstanceRecord, env: NodeJS.ProcessEnv = process.env): Promise<EngineDeps> {
  const forwarded = new Set<number>();
  const context = rec.engine?.context ?? null;
  const targets = engineTargetsFromSystem(env);
  const engine = engineNameOf(rec, targets);
  const current = targets.find((t) => t.current);
  if (context === null || (current && current.name === context)) return { deps: base, engine, remote: null, forwarded };
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
  const ssh = sshTargetOf(target.endpoint);
  if (!ssh) {
    const e = target.kind === 'default' ? { ...env, DOCKER_CONTEXT: 'default' } : { ...env, DOCKER_HOST: '', DOCKER_CONTEXT: context };
    return { deps: createDeps({ env: e }), engine, remote: null, forwarded };
  }
  const tunnel = createSshTunnel({ home: base.home, engine: context, target: ssh, env });
  try {
    await tunnel.ensure();
  } catch (err) {
    throw new SandboxError('ENGINE_UNAVAILABLE', `Engine "${context}" of "${rec.id}" is not reachable: ${(err as Error).message}`, {
      hint: `Check it with \`docker --context ${context} info\` (ssh keys, the host, its Docker daemon).`,
    });
  }
  const deps = createDeps({ env: { ...env, DOCKER_HOST: `unix://${tunnel.dockerSocket}`, DOCKER_CONTEXT: '' } });
  const ports = deps.ports;
  // a port our own tunnel forwards is held by ssh here: it belongs to this instance (its remote side is
  // checked through the remote engine's container listing)
  deps.ports = {
    isFree: (p, h) => (forwarded.has(p) ? Promise.resolve(true) : ports.isFree(p, h)),
    owner: (p) => (forwarded.has(p) ? Promise.resolve(null) : ports.owner(p)),
  };
  return { deps, engine, remote: { engine: context, endpoint: target.endpoint, tunnel }, forwarded };
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

/** Images named by the compose files (plain names; ones built from a variable are left to compose). */
export function composeImages(docs: unknown[]): string[] {
  const out = new Set<string>();
  for (const d of docs) {
    const services = (d as { services?: Record<string, { image?: unknown }> } | null)?.services ?? {};
    for (const s of Object.values(services)) if (typeof s?.image === 'string' && !s.image.includes('$')) out.add(s.image);
  }
  return [...out].sort();
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

/** Directories of the instance's variables that compose bind-mounts (shared data): present on the remote host too. */
export async function syncSharedDirs(remote: RemoteSide, dirs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  for (const d of dirs) {
    if (existsSync(d)) await syncDir(remote, d, env, { gitIgnore: false });
    else await remote.tunnel.exec(['mkdir', '-p', d]);
  }
}
