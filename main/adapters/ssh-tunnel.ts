// One ssh connection per remote engine (issue 13): an OpenSSH ControlMaster under the sandbox home that carries
// a local unix socket forwarded to the remote Docker socket (compose v1 and dockerode then talk to
// unix://<local socket>: no paramiko, no ssh2) and the slot's ports (127.0.0.1:P → the remote host's
// 127.0.0.1:P, so links stay http://localhost:P). The system `ssh` is used, so ~/.ssh/config, keys, the agent and
// known_hosts apply as they do for `docker --context X`. rsync rides the same connection (`-e ssh -S <ctl>`).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './host-env';
import { nameOf, terminate } from './processes';

/** sun_path is 108 bytes on Linux, 104 on macOS; ssh adds ".XXXXXXXXXXXXXXXX" to the control path while binding. */
export const MAX_SOCKET_PATH = 103;
const SSH_TEMP_SUFFIX = 17;
export const REMOTE_DOCKER_SOCKET = '/var/run/docker.sock';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
}

/** ssh://user@host:port → its parts; undefined for another scheme. */
export function sshTargetOf(endpoint: string): SshTarget | undefined {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'ssh:' || !u.hostname) return undefined;
  const t: SshTarget = { host: u.hostname.replace(/^\[|\]$/g, '') };
  if (u.username) t.user = decodeURIComponent(u.username);
  if (u.port) t.port = Number(u.port);
  return t;
}

/**
 * Where the connection's sockets live: <home>/ssh/<8 hex of the engine>.{ctl,docker.sock}; when that path is too
 * long for a unix socket (deep homes), a private directory under the temp dir instead.
 */
export function tunnelPaths(
  home: string,
  engine: string,
  tmp = tmpdir(),
  uid = process.getuid?.() ?? 0,
): { dir: string; control: string; docker: string; pid: string } {
  const key = createHash('sha256').update(engine).digest('hex').slice(0, 8);
  const fits = (dir: string) =>
    join(dir, `${key}.docker.sock`).length <= MAX_SOCKET_PATH && join(dir, `${key}.ctl`).length + SSH_TEMP_SUFFIX <= MAX_SOCKET_PATH;
  const dir = fits(join(home, 'ssh')) ? join(home, 'ssh') : join(tmp, `kts-ssh-${uid}`);
  return { dir, control: join(dir, `${key}.ctl`), docker: join(dir, `${key}.docker.sock`), pid: join(dir, `${key}.pid`) };
}

/** The ssh arguments naming the host (after the options). */
export function hostArgs(t: SshTarget): string[] {
  return [...(t.port && t.port !== 22 ? ['-p', String(t.port)] : []), ...(t.user ? ['-l', t.user] : []), '--', t.host];
}

/** Options of the master: no prompts, a bounded connect, keep-alives that notice a dead peer within ~15 s. */
export function masterArgs(t: SshTarget, control: string, connectTimeoutS = 5): string[] {
  return [
    '-f',
    '-N',
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${connectTimeoutS}`,
    '-o',
    'ControlMaster=yes',
    '-o',
    `ControlPath=${control}`,
    '-o',
    'ControlPersist=yes',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'StreamLocalBindUnlink=yes',
    ...hostArgs(t),
  ];
}

/** A control command (-O check | forward | cancel | exit) to the running master. */
export function controlArgs(t: SshTarget, control: string, op: 'check' | 'forward' | 'cancel' | 'exit', forward?: string): string[] {
  return ['-o', `ControlPath=${control}`, '-o', 'BatchMode=yes', '-O', op, ...(forward ? ['-L', forward] : []), ...hostArgs(t)];
}

/** `-e` for rsync: ssh through the master (no second login). */
export function rsyncShell(t: SshTarget, control: string): string {
  return [
    'ssh',
    '-o',
    `ControlPath=${control}`,
    '-o',
    'BatchMode=yes',
    ...(t.port && t.port !== 22 ? ['-p', String(t.port)] : []),
    ...(t.user ? ['-l', t.user] : []),
  ].join(' ');
}

/** End the master whose pid `file` records, when that process still runs and is ssh (never anything else). */
async function endRecordedMaster(file: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return; // none recorded
  }
  rmSync(file, { force: true });
  // the pid may have been reused since: only an ssh process is ours to end
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || nameOf(pid) !== 'ssh') return;
  await terminate(pid, 1000); // (not ours to signal, EPERM — another user's ssh under a reused pid: left alone)
}

export const portForward = (port: number) => `127.0.0.1:${port}:127.0.0.1:${port}`;

export interface SshTunnel {
  readonly target: SshTarget;
  readonly control: string;
  /** unix socket path of the forwarded remote Docker socket */
  readonly dockerSocket: string;
  /** Master up (started or re-established) and the Docker socket forwarded and answering. */
  ensure(): Promise<void>;
  /** Is the master alive? */
  alive(): Promise<boolean>;
  /** The master's pid (`-O check` says it), or null when none answers. */
  masterPid(): Promise<number | null>;
  /** Forward 127.0.0.1:P → remote 127.0.0.1:P for each port (an existing forward of P is replaced). */
  forwardPorts(ports: number[]): Promise<void>;
  cancelPorts(ports: number[]): Promise<void>;
  /** Run a command on the remote host over the master. */
  exec(
    command: string[],
    opts?: { input?: NodeJS.ReadableStream; timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** End the master (its forwards go with it). */
  close(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', args, { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Does something accept connections on this unix socket? */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

export function createSshTunnel(opts: { home: string; engine: string; target: SshTarget; env?: NodeJS.ProcessEnv }): SshTunnel {
  const env = opts.env ?? process.env;
  const t = opts.target;
  const paths = tunnelPaths(opts.home, opts.engine);
  const dest = `${t.user ? `${t.user}@` : ''}${t.host}${t.port ? `:${t.port}` : ''}`;
  const tunnel: SshTunnel = {
    target: t,
    control: paths.control,
    dockerSocket: paths.docker,
    async alive() {
      return (await run(controlArgs(t, paths.control, 'check'), env, 5000)).code === 0;
    },
    async masterPid() {
      const r = await run(controlArgs(t, paths.control, 'check'), env, 5000);
      const pid = r.code === 0 ? /pid=(\d+)/.exec(r.stderr + r.stdout)?.[1] : undefined;
      return pid ? Number(pid) : null;
    },
    async ensure() {
      // A master whose control socket still accepts connections is alive, only slow to answer `-O check` (a loaded
      // machine): asked again with more time rather than replaced — a second master beside it would leave the
      // first one holding the slot's forwards (a port conflict on the next up).
      const up =
        (await tunnel.alive()) ||
        ((await socketAnswers(paths.control)) && (await run(controlArgs(t, paths.control, 'check'), env, 15_000)).code === 0);
      if (!up) {
        mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
        // a master that no longer answers but still runs (a peer gone without a word) would keep holding the
        // slot's forwards beside its replacement: ended first, by the pid recorded when it started
        await endRecordedMaster(paths.pid);
        rmSync(paths.control, { force: true }); // a master that died leaves its socket
        const r = await run(masterArgs(t, paths.control), env, 15_000);
        if (r.code !== 0) throw new Error(`ssh to ${dest} failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
        const pid = await tunnel.masterPid();
        if (pid) writeFileSync(paths.pid, `${pid}\n`, { mode: 0o600 });
      }
      if (await socketAnswers(paths.docker)) return;
      rmSync(paths.docker, { force: true });
      const f = await run(controlArgs(t, paths.control, 'forward', `${paths.docker}:${REMOTE_DOCKER_SOCKET}`), env);
      if (f.code !== 0) throw new Error(`Could not forward the Docker socket of ${dest}: ${firstLine(f.stderr) || `exit ${f.code}`}`);
    },
    async forwardPorts(ports) {
      for (const p of ports) {
        await run(controlArgs(t, paths.control, 'cancel', portForward(p)), env, 5000); // none yet: ssh says so, fine
        const f = await run(controlArgs(t, paths.control, 'forward', portForward(p)), env);
        if (f.code !== 0) throw new Error(`Could not forward port ${p} to ${dest}: ${firstLine(f.stderr) || `exit ${f.code}`}`);
      }
    },
    async cancelPorts(ports) {
      await Promise.all(ports.map((p) => run(controlArgs(t, paths.control, 'cancel', portForward(p)), env, 5000)));
    },
    exec(command, o = {}) {
      return new Promise((resolve) => {
        const child = spawn('ssh', ['-o', `ControlPath=${paths.control}`, '-o', 'BatchMode=yes', ...hostArgs(t), ...command], {
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        const timer = setTimeout(() => child.kill('SIGTERM'), o.timeoutMs ?? 60_000);
        if (o.input) o.input.pipe(child.stdin);
        else child.stdin.end();
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 255, stdout, stderr });
        });
        child.on('error', (err) => {
          clearTimeout(timer);
          resolve({ code: 255, stdout, stderr: stderr || err.message });
        });
      });
    },
    async close() {
      await run(controlArgs(t, paths.control, 'exit'), env, 5000);
      rmSync(paths.docker, { force: true });
      rmSync(paths.pid, { force: true });
    },
  };
  return tunnel;
}
