// Which Docker engine to talk to: DOCKER_HOST, else the current docker context, else the first
// known socket that exists. Pure (file access is injected) so the order is unit-testable.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type DockerEndpointSource = 'DOCKER_HOST' | `context:${string}` | 'default-socket';

export interface DockerEndpoint {
  kind: 'socket' | 'tcp' | 'npipe';
  /** unix socket path, or the named pipe path (`//./pipe/docker_engine`) */
  socketPath?: string;
  host?: string;
  port?: number;
  /** tcp only: 'http', 'https' (TLS) or 'ssh' */
  protocol?: 'http' | 'https' | 'ssh';
  /** ssh only */
  username?: string;
  source: DockerEndpointSource;
  /** For messages: the socket path or the URL. */
  display: string;
}

export interface EndpointResolveInput {
  env: NodeJS.ProcessEnv;
  /** Home directory; defaults to env.HOME (then os.homedir()). */
  homedir?: string;
  exists: (p: string) => boolean;
  /** File text, or undefined when unreadable. */
  readFile: (p: string) => string | undefined;
  platform?: NodeJS.Platform;
}

const NPIPE_DEFAULT = '//./pipe/docker_engine';

/** Sockets tried in order when neither DOCKER_HOST nor a context names an endpoint. */
export function defaultSocketCandidates(env: NodeJS.ProcessEnv, home: string): string[] {
  const list = [
    '/var/run/docker.sock',
    path.join(home, '.docker', 'run', 'docker.sock'),
    path.join(home, '.orbstack', 'run', 'docker.sock'),
    path.join(home, '.colima', 'default', 'docker.sock'),
    path.join(home, '.rd', 'docker.sock'),
  ];
  if (env.XDG_RUNTIME_DIR) list.push(path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'));
  list.push(path.join(home, '.local', 'share', 'containers', 'podman', 'machine', 'podman.sock'));
  return list;
}

/** Parse a docker host URL (unix://, tcp://, npipe://, ssh://, or bare host:port). Throws on garbage. */
export function parseDockerHost(value: string, source: DockerEndpointSource, env: NodeJS.ProcessEnv = {}): DockerEndpoint {
  const v = value.trim();
  if (v.startsWith('unix://')) {
    const socketPath = v.slice('unix://'.length) || '/var/run/docker.sock';
    return { kind: 'socket', socketPath, source, display: socketPath };
  }
  if (v.startsWith('npipe://')) {
    const socketPath = v.slice('npipe://'.length) || NPIPE_DEFAULT;
    return { kind: 'npipe', socketPath, source, display: `npipe://${socketPath}` };
  }
  const withScheme = v.includes('://') ? v : `tcp://${v}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(
      `Invalid Docker host "${value}" (from ${source}): expected unix:///path, tcp://host:port, npipe:////./pipe/name or ssh://user@host`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'ssh:') {
    const port = url.port ? Number(url.port) : 22;
    const ep: DockerEndpoint = {
      kind: 'tcp',
      protocol: 'ssh',
      host,
      port,
      source,
      display: `ssh://${url.username ? `${url.username}@` : ''}${url.host}`,
    };
    if (url.username) ep.username = decodeURIComponent(url.username);
    return ep;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Unsupported Docker host scheme "${url.protocol}" in "${value}" (from ${source})`);
  }
  const tlsVerify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 2376 : 2375;
  const protocol = url.protocol === 'https:' || tlsVerify || port === 2376 ? 'https' : 'http';
  return { kind: 'tcp', protocol, host, port, source, display: `tcp://${url.hostname}:${port}` };
}

function readJson(input: EndpointResolveInput, file: string): unknown {
  const text = input.readFile(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The docker config directory: $DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.DOCKER_CONFIG || path.join(home, '.docker');
}

/** Name of the current docker context ($DOCKER_CONTEXT, else config.json currentContext), or null for "default". */
export function currentContextName(input: EndpointResolveInput, home: string): string | null {
  const fromEnv = input.env.DOCKER_CONTEXT;
  const name = fromEnv || field(readJson(input, path.join(dockerConfigDir(input.env, home), 'config.json')), 'currentContext');
  if (typeof name !== 'string' || name === '' || name === 'default') return null;
  return name;
}

export function resolveDockerEndpoint(input: EndpointResolveInput): DockerEndpoint {
  const { env } = input;
  const platform = input.platform ?? process.platform;
  const home = input.homedir ?? (env.HOME || os.homedir());

  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, 'DOCKER_HOST', env);

  const ctx = currentContextName(input, home);
  if (ctx) {
    // node:crypto is loaded here, not at start-up (~5 ms every command would pay for a rare path)
    const digest = process.getBuiltinModule('node:crypto').createHash('sha256').update(ctx).digest('hex');
    const meta = readJson(input, path.join(dockerConfigDir(env, home), 'contexts', 'meta', digest, 'meta.json'));
    const host = field(field(field(meta, 'Endpoints'), 'docker'), 'Host');
    if (typeof host === 'string' && host !== '') {
      try {
        return parseDockerHost(host, `context:${ctx}`, env);
      } catch {
        // fall through to the known sockets
      }
    }
  }

  if (platform === 'win32') {
    return { kind: 'npipe', socketPath: NPIPE_DEFAULT, source: 'default-socket', display: `npipe://${NPIPE_DEFAULT}` };
  }
  const candidates = defaultSocketCandidates(env, home);
  const found = candidates.find((p) => input.exists(p)) ?? candidates[0]!;
  return { kind: 'socket', socketPath: found, source: 'default-socket', display: found };
}

/** The real file system as the endpoint and context readers see it (a file that cannot be read: undefined). */
export function systemFileAccess(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  homedir: string;
  exists(p: string): boolean;
  readFile(p: string): string | undefined;
} {
  return {
    env,
    homedir: env.HOME || os.homedir(),
    exists: (p) => existsSync(p),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** resolveDockerEndpoint with the real file system. */
export function resolveDockerEndpointFromSystem(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  return resolveDockerEndpoint(systemFileAccess(env));
}

/** The DOCKER_HOST value naming this endpoint (for the docker / compose CLIs). */
export function dockerHostUrl(ep: DockerEndpoint): string {
  switch (ep.kind) {
    case 'socket':
      return `unix://${ep.socketPath}`;
    case 'npipe':
      return `npipe://${ep.socketPath}`;
    case 'tcp':
      if (ep.protocol === 'ssh') return ep.display;
      return `tcp://${ep.host && ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
  }
}

/** Environment for child processes so that docker / compose talk to the same engine. */
export function dockerChildEnv(ep: DockerEndpoint): Record<string, string> {
  // DOCKER_HOST beats any context in the docker CLI and compose (v1 and v2).
  return { DOCKER_HOST: dockerHostUrl(ep) };
}

/** Options for `new Dockerode(...)`. TLS material for https comes from $DOCKER_CERT_PATH (or ~/.docker). */
export interface DockerodeEndpointOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https' | 'ssh';
  username?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export function dockerodeOptions(
  ep: DockerEndpoint,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (p: string) => Buffer | undefined = (p) => {
    try {
      return readFileSync(p);
    } catch {
      return undefined;
    }
  },
): DockerodeEndpointOptions {
  if (ep.kind === 'socket' || ep.kind === 'npipe') {
    // host/protocol explicitly, so a tcp DOCKER_HOST in process.env (read by docker-modem's defaults) cannot win.
    return { socketPath: ep.socketPath, host: undefined, protocol: 'http' };
  }
  const opts: DockerodeEndpointOptions = { host: ep.host, port: ep.port, protocol: ep.protocol ?? 'http' };
  if (ep.username) opts.username = ep.username;
  if (ep.protocol === 'https') {
    const dir = env.DOCKER_CERT_PATH || path.join(env.HOME || os.homedir(), '.docker');
    const ca = readFile(path.join(dir, 'ca.pem'));
    const cert = readFile(path.join(dir, 'cert.pem'));
    const key = readFile(path.join(dir, 'key.pem'));
    if (ca) opts.ca = ca;
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
  }
  return opts;
}
