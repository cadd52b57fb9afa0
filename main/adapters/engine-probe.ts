// One engine's facts for `engines`: /info, /version, the running containers and their memory (one-shot
// stats), everything bounded by the caller's deadline. unix/tcp/https endpoints are read with a plain GET
// (docker-api.ts); ssh:// ones through the system `ssh` running `docker system dial-stdio` on the remote
// host — exactly what the docker CLI does, so ~/.ssh/config, keys, the agent and known_hosts apply as they do
// for `docker --context X`. (dockerode's ssh transport, ssh2, reads none of them: without SSH_AUTH_SOCK or an
// explicit key it cannot authenticate, and it opens one ssh connection per request.)
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import { Duplex } from 'node:stream';
import { EngineUnavailableError } from '../core/deps';
import { cpuPercent, type CpuSample, type EngineFacts, type EngineProbe, type EngineTarget, type RunningContainer } from '../core/engines';
import { DockerApiError, dockerGetJson, dockerQuery } from './docker-api';
import { LABEL_PROJECT, toContainerInfo, type RawContainer } from './container-info';
import type { ContainerInfo } from '../shared/types';
import { parseDockerHost, type DockerEndpoint } from './docker-endpoint';
import { mapEngineError } from './engine-errors';
import { socketAnswers, tunnelPaths } from './ssh-tunnel';

type Get = <T>(path: string, signal: AbortSignal) => Promise<T>;

/**
 * Parallel stats calls per engine. The engine samples a container's stats on a 1 s tick once someone asks,
 * so a one-shot answer takes up to ~1 s whatever the load: asked all at once they share that tick (11 at once:
 * 1.35 s here; 6 at a time: 1–5 of 18 in 800 ms). Over ssh each parallel call is one more ssh connection.
 */
const STATS_CONCURRENCY = { direct: 32, ssh: 3 };
/** Stats stop this long before the deadline, so the answer (partial if need be) still arrives in time, */
const STATS_MARGIN_MS = 150;
/** and at most this long after they start (one sampling tick and some): `engines` answers within 2 s. */
const STATS_BUDGET_MS = 1300;
/** The engine's stats sampling tick. */
const SAMPLE_TICK_MS = 1000;

/** A socket-like stream over `ssh HOST docker system dial-stdio`; stderr is kept for the error message. */
function sshDialStdio(
  ep: DockerEndpoint,
  env: NodeJS.ProcessEnv,
  control: string | undefined,
  connectTimeoutS: number,
  onStderr: (s: string) => void,
  onExit: (exited: Promise<void>) => void,
): Duplex {
  const args = ['-T', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${connectTimeoutS}`];
  // over the engine's ControlMaster when one is up (no handshake); ssh connects by itself when none is
  if (control) args.push('-o', `ControlPath=${control}`, '-o', 'ControlMaster=no');
  if (ep.username) args.push('-l', ep.username);
  if (ep.port && ep.port !== 22) args.push('-p', String(ep.port));
  args.push('--', ep.host!, 'docker', 'system', 'dial-stdio');
  const child = spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => onStderr(d.toString('utf8')));
  onExit(new Promise<void>((resolve) => child.once('close', () => resolve())));
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin }) as Duplex & Record<string, unknown>;
  child.on('error', (err) => stream.destroy(err));
  stream.on('error', () => undefined); // surfaced by the request using it (with ssh's stderr), not as a crash
  stream.on('close', () => child.kill());
  // what node's http client calls on a socket
  for (const m of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) stream[m] = () => stream;
  return stream;
}

function sshGetter(ep: DockerEndpoint, env: NodeJS.ProcessEnv, control: string | undefined, deadline: number): { get: Get; close(): void } {
  let stderr = '';
  let exited: Promise<void> = Promise.resolve();
  // Keep-alive: requests take turns on a connection, a few ms each once it is up, where every extra
  // connection costs a handshake and a `docker` process on the remote host (the probe opens one for the
  // first calls, and up to STATS_CONCURRENCY.ssh for stats).
  const agent = new http.Agent({ keepAlive: true, maxSockets: STATS_CONCURRENCY.ssh });
  const connectTimeoutS = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () =>
    sshDialStdio(
      ep,
      env,
      control,
      connectTimeoutS,
      (s) => {
        stderr += s;
      },
      (p) => {
        exited = p;
      },
    );
  const get: Get = <T>(path: string, signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      const req = http.request({ host: 'docker', path, agent, signal, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // plain text
          }
          if (status >= 200 && status < 300) resolve(body as T);
          else reject(new DockerApiError(status, `(HTTP code ${status}) ${text.trim().slice(0, 200)}`));
        });
      });
      req.on('error', (err) => {
        // ssh's own reason (refused, key rejected, no docker there) arrives on stderr as it exits: wait briefly
        void Promise.race([exited, new Promise((r) => setTimeout(r, 300))]).then(() => {
          const why = stderr
            .trim()
            .split('\n')
            .filter(Boolean)
            .pop()
            ?.replace(/^ssh: /, '');
          reject(why ? Object.assign(new Error(`ssh: ${why}`), { code: 'ECONNREFUSED' }) : err);
        });
      });
      req.end();
    });
  return { get, close: () => agent.destroy() };
}

interface Route {
  get: Get;
  /** Over ssh (dial-stdio): fewer parallel calls, ssh's own error text. */
  ssh: boolean;
  ep: DockerEndpoint;
  close(): void;
}

/**
 * How to reach one engine. unix/tcp: a plain GET. ssh://: the Docker socket our own ControlMaster forwards for
 * that context (ssh-tunnel.ts, up while a remote instance runs) when it answers — the same GETs as a local engine,
 * no ssh process per call; otherwise `ssh HOST docker system dial-stdio`, over the master when one is up.
 */
async function routeTo(target: EngineTarget, env: NodeJS.ProcessEnv, home: string | undefined, deadline: number): Promise<Route> {
  const ep = parseDockerHost(target.endpoint, target.kind === 'default' ? 'default-socket' : `context:${target.name}`, env);
  if (!(ep.kind === 'tcp' && ep.protocol === 'ssh'))
    return { get: (path, s) => dockerGetJson(ep, path, s, env), ssh: false, ep, close() {} };
  const paths = home ? tunnelPaths(home, target.name) : undefined;
  if (paths && (await socketAnswers(paths.docker, 200))) {
    const local = parseDockerHost(`unix://${paths.docker}`, `context:${target.name}`, env);
    const mapped = { ...local, display: ep.display };
    return { get: (path, s) => dockerGetJson(mapped, path, s, env), ssh: false, ep: mapped, close() {} };
  }
  const g = sshGetter(ep, env, paths?.control, deadline);
  return { get: g.get, ssh: true, ep, close: g.close };
}

interface RawInfo {
  ServerVersion?: string;
  NCPU?: number;
  MemTotal?: number;
  OperatingSystem?: string;
}
interface RawStats {
  memory_stats?: { usage?: number; stats?: Record<string, number> };
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
}

/** One reading of a container's CPU counters (ns); two of them give its CPU use in between (core/engines.ts cpuPercent). */
export function cpuSample(s: RawStats): CpuSample | undefined {
  const c = s.cpu_stats;
  const total = c?.cpu_usage?.total_usage;
  const system = c?.system_cpu_usage;
  if (typeof total !== 'number' || typeof system !== 'number' || system <= 0) return undefined;
  return { total, system, cpus: c?.online_cpus || c?.cpu_usage?.percpu_usage?.length || 1 };
}

/** Memory in use the way `docker stats` counts it: usage minus the inactive page cache (cgroup v1 and v2). */
export function memoryInUse(s: RawStats): number | undefined {
  const m = s.memory_stats;
  if (!m || typeof m.usage !== 'number') return undefined;
  const st = m.stats ?? {};
  const cache = st.total_inactive_file ?? st.inactive_file ?? st.cache ?? 0;
  return cache < m.usage ? m.usage - cache : m.usage;
}

interface StatsReading {
  mem: Record<string, number>;
  cpu: Record<string, CpuSample>;
}

async function statsWithin(get: Get, ids: string[], signal: AbortSignal, end: number, concurrency: number): Promise<StatsReading> {
  const out: StatsReading = { mem: {}, cpu: {} };
  const budget = end - Date.now();
  if (budget <= 0 || !ids.length) return out;
  const stop = AbortSignal.any([signal, AbortSignal.timeout(budget)]);
  setMaxListeners(concurrency + 8, stop); // one listener per call in flight: not a leak
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined && !stop.aborted; id = queue.shift()) {
      try {
        const raw = await get<RawStats>(`/containers/${id}/stats?stream=false&one-shot=true`, stop);
        const used = memoryInUse(raw);
        if (used !== undefined) out.mem[id] = used;
        const cpu = cpuSample(raw);
        if (cpu) out.cpu[id] = cpu;
      } catch {
        // not measured in time (or gone meanwhile): left out, the report says how many were measured
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return out;
}

/**
 * CPU needs two readings (a one-shot answer has no previous one): a second round of one-shot stats, one
 * sampling tick (~1 s) after the first, allowed up to the probe's own deadline. What is not read in time has
 * no CPU figure (null in the report), never a late answer.
 */
async function cpuWithin(
  get: Get,
  first: Record<string, CpuSample>,
  signal: AbortSignal,
  end: number,
  concurrency: number,
): Promise<Record<string, number>> {
  const ids = Object.keys(first);
  // The engine keeps one sample per container per tick (~1 s) once asked: read again at once, it hands back the
  // same sample (no CPU figure). Wait for the next tick when the deadline leaves room for it and a reading after it.
  const wait = Math.min(Date.now() + SAMPLE_TICK_MS, end - STATS_MARGIN_MS) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const second = await statsWithin(get, ids, signal, end, concurrency);
  const out: Record<string, number> = {};
  for (const id of ids) {
    const b = second.cpu[id];
    const pct = b ? cpuPercent(first[id]!, b) : undefined;
    if (pct !== undefined) out[id] = pct;
  }
  return out;
}

export function createEngineProbe(env: NodeJS.ProcessEnv = process.env, home?: string): EngineProbe {
  return async (target: EngineTarget, { signal, deadline, cpu }): Promise<EngineFacts> => {
    const route = await routeTo(target, env, home, deadline);
    const { get, ep } = route;
    const ssh = route.ssh;
    try {
      type Containers = Array<{ Id: string; Labels?: Record<string, string> | null }>;
      const calls = [
        () => get<RawInfo>('/info', signal),
        () => get<{ ApiVersion?: string }>('/version', signal),
        () => get<Containers>('/containers/json', signal),
      ] as const;
      let info: RawInfo, version: { ApiVersion?: string }, containers: Containers;
      if (ssh) {
        // one after the other on the first connection (a few ms each) instead of opening three
        info = await calls[0]();
        version = await calls[1]();
        containers = await calls[2]();
      } else [info, version, containers] = await Promise.all([calls[0](), calls[1](), calls[2]()]);
      const running: RunningContainer[] = containers.map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
      const end = Math.min(deadline - STATS_MARGIN_MS, Date.now() + STATS_BUDGET_MS);
      const concurrency = ssh ? STATS_CONCURRENCY.ssh : STATS_CONCURRENCY.direct;
      const first = await statsWithin(
        get,
        running.map((c) => c.id),
        signal,
        end,
        concurrency,
      );
      const cpuUsage = cpu ? await cpuWithin(get, first.cpu, signal, deadline - STATS_MARGIN_MS, concurrency) : undefined;
      const facts: EngineFacts = {
        version: info.ServerVersion ?? '?',
        cpus: info.NCPU ?? 0,
        memTotal: info.MemTotal ?? 0,
        running,
        memUsage: first.mem,
      };
      if (cpuUsage) facts.cpuUsage = cpuUsage;
      if (version.ApiVersion) facts.apiVersion = version.ApiVersion;
      if (info.OperatingSystem) facts.os = info.OperatingSystem;
      return facts;
    } catch (err) {
      // ssh's own reason says more than a mapped errno ("Connection refused", "Permission denied (publickey)")
      if (ssh && err instanceof Error && err.message.startsWith('ssh: '))
        throw new EngineUnavailableError(`${ep.display}: ${err.message}`, ep.display);
      throw mapEngineError(err, ep);
    } finally {
      route.close();
    }
  };
}

/**
 * The compose-labelled containers of one engine (as Engine.listContainers reads them), within the caller's
 * deadline: `list` asks every engine its instances run on at once (issue 13). ssh:// through `docker system
 * dial-stdio` like the probe.
 */
export function createContainerLister(env: NodeJS.ProcessEnv = process.env, home?: string) {
  return async (target: EngineTarget, { signal, deadline }: { signal: AbortSignal; deadline: number }): Promise<ContainerInfo[]> => {
    const route = await routeTo(target, env, home, deadline);
    const { get, ep } = route;
    const ssh = route.ssh;
    try {
      const raw = await get<RawContainer[]>(`/containers/json${dockerQuery({ all: true, filters: { label: [LABEL_PROJECT] } })}`, signal);
      return raw.map(toContainerInfo);
    } catch (err) {
      if (ssh && err instanceof Error && err.message.startsWith('ssh: '))
        throw new EngineUnavailableError(`${ep.display}: ${err.message}`, ep.display);
      throw mapEngineError(err, ep);
    } finally {
      route.close();
    }
  };
}
