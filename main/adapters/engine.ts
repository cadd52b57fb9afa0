// Engine: queries, logs, exec, events and last-resort cleanup of compose projects. The read path (ping,
// container listing) is a plain GET (docker-api.ts); dockerode is loaded on the first call that needs more.
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type DockerModem from 'docker-modem';
import { EngineUnavailableError } from '../core/deps';
import type { ContainerDetails, ContainerHealthcheck, Engine, EngineEvent, EngineInfo, ExecResult, LogLine, LogOptions, ProjectResources, ProjectScope } from '../core/deps';
import { LABEL_INSTANCE, LABEL_OWNER } from '../core/labels';
import { networkOps, removeNetworkForce } from './engine-networks';
import type { ContainerInfo } from '../core/types';
import { LABEL_PROJECT, toContainerInfo, toEngineEvent, type RawContainer } from './container-info';
import { FrameDemuxer, LogLineDemuxer } from './demux';
import { directGetSupported, dockerGetJson, dockerQuery } from './docker-api';
import { dockerodeOptions, type DockerEndpoint } from './docker-endpoint';
import { mapEngineError, timeoutMessage, unavailableMessage } from './engine-errors';
import { JsonLineParser } from './json-lines';

export interface EngineOptions {
  env?: NodeJS.ProcessEnv;
  /** Upper bound for list/inspect style calls on a live engine. Default 15 s (a hung one: see DEFAULT_PING_MS). */
  queryTimeoutMs?: number;
  /** Ping timeout (and the watchdog's). Default: KTRDR_SANDBOX_PING_TIMEOUT_MS, else DEFAULT_PING_MS. */
  pingTimeoutMs?: number;
}

// A refused or missing socket fails at once. A socket that accepts and never answers (a hung engine) is found
// by the ping's own timeout, and for every other call by a watchdog: when a call has not answered after
// WATCH_AFTER_MS, the engine is pinged (a /_ping costs the engine next to nothing, even when a listing or an
// exec is slow); no answer within the ping timeout → EngineUnavailableError, so every command says "Docker
// unavailable" (exit 4) within ~2 s, while a slow call on a live engine keeps its own, longer timeout.
// KTRDR_SANDBOX_PING_TIMEOUT_MS raises the ping timeout on a machine where the engine answers more slowly.
export const DEFAULT_PING_MS = 1_200;
const WATCH_AFTER_MS = 100;
const WATCH_EVERY_MS = 2_000;
const DEFAULT_EXEC_MS = 60_000;

interface RawHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** Config.Healthcheck (durations in ns) → ContainerDetails.healthcheck; nothing for none or ["NONE"]. */
function healthcheckOf(config: { Healthcheck?: RawHealthcheck } | undefined): { healthcheck?: ContainerHealthcheck } {
  const h = config?.Healthcheck;
  if (!h?.Test?.length || h.Test[0] === 'NONE') return {};
  const ms = (ns?: number) => Math.round((ns ?? 0) / 1e6);
  return { healthcheck: { test: h.Test, intervalMs: ms(h.Interval), timeoutMs: ms(h.Timeout), retries: h.Retries ?? 0, startPeriodMs: ms(h.StartPeriod) } };
}

export function pingTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = env.KTRDR_SANDBOX_PING_TIMEOUT_MS;
  return v && /^[0-9]{1,7}$/.test(v) && Number(v) > 0 ? Number(v) : DEFAULT_PING_MS;
}

function statusCode(err: unknown): number | undefined {
  const s = err !== null && typeof err === 'object' ? (err as { statusCode?: unknown }).statusCode : undefined;
  return typeof s === 'number' ? s : undefined;
}

export function createEngine(endpoint: DockerEndpoint, options: EngineOptions = {}): Engine {
  const env = options.env ?? process.env;
  const queryTimeoutMs = options.queryTimeoutMs ?? 15_000;
  let client: Promise<Dockerode> | undefined;
  const docker = (): Promise<Dockerode> => (client ??= import('dockerode').then((m) => new m.default(dockerodeOptions(endpoint, env))));
  const direct = directGetSupported(endpoint);

  const pingMs = options.pingTimeoutMs ?? pingTimeoutMs(env);

  /** A bare GET /_ping under its own timeout: resolves when the engine answers, else EngineUnavailableError. */
  async function alive(ms: number): Promise<void> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), ms);
    try {
      await getJson<unknown>('/_ping', {}, ac.signal);
    } catch (err) {
      if (ac.signal.aborted) throw new EngineUnavailableError(timeoutMessage(endpoint, ms), endpoint.display);
      const mapped = mapEngineError(err, endpoint);
      // an API error (e.g. 500 while the daemon shuts down) is not "alive" either
      throw mapped instanceof EngineUnavailableError ? mapped : new EngineUnavailableError(`${unavailableMessage(endpoint)} (${(err as Error).message})`, endpoint.display);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Run fn with an abort signal; reject with EngineUnavailableError after ms, or as soon as the watchdog's ping
   * goes unanswered (watch: false for the ping itself); map connection errors.
   */
  async function call<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, watch = true): Promise<T> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let watcher: NodeJS.Timeout | undefined;
    let finished = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new EngineUnavailableError(timeoutMessage(endpoint, ms), endpoint.display));
        ac.abort();
      }, ms);
      if (!watch || ms <= WATCH_AFTER_MS + pingMs) return;
      const check = () => {
        alive(pingMs).then(
          () => {
            if (!finished) watcher = setTimeout(check, WATCH_EVERY_MS);
          },
          (err: unknown) => {
            if (finished) return;
            reject(err);
            ac.abort();
          },
        );
      };
      watcher = setTimeout(check, WATCH_AFTER_MS);
    });
    timeout.catch(() => undefined);
    const work = (async () => fn(ac.signal))();
    work.catch(() => undefined); // the loser of the race must not become an unhandled rejection
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      throw mapEngineError(err, endpoint);
    } finally {
      finished = true;
      clearTimeout(timer);
      clearTimeout(watcher);
    }
  }

  async function dial<T>(opts: DockerModem.DialOptions): Promise<T> {
    const d = await docker();
    return new Promise<T>((resolve, reject) => {
      d.modem.dial(opts, (err, data) => (err ? reject(err) : resolve(data as T)));
    });
  }

  /** GET returning parsed JSON: directly over node:http(s), through dockerode's modem for ssh endpoints. */
  function getJson<T>(path: string, query: Record<string, string | boolean | object>, signal: AbortSignal): Promise<T> {
    if (direct) return dockerGetJson<T>(endpoint, `${path}${dockerQuery(query)}`, signal, env);
    return dial<T>({ path: `${path}?`, method: 'GET', options: query, abortSignal: signal, statusCodes: { 200: true, 500: 'server error' } });
  }

  /** GET returning the raw response stream (no JSON guessing on the body). */
  function dialStream(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<Readable> {
    const opts: DockerModem.DialOptions = {
      path: `${path}?`,
      method: 'GET',
      options: query,
      isStream: true,
      statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
    };
    if (signal) opts.abortSignal = signal;
    return dial<Readable>(opts);
  }

  async function isTty(containerId: string, signal: AbortSignal): Promise<boolean> {
    const info = await (await docker()).getContainer(containerId).inspect({ abortSignal: signal });
    return info.Config?.Tty === true;
  }

  function logQuery(opts: LogOptions, follow: boolean): Record<string, unknown> {
    const q: Record<string, unknown> = { stdout: true, stderr: true, follow, timestamps: opts.timestamps === true };
    if (opts.tail !== undefined) q.tail = opts.tail;
    if (opts.since !== undefined) q.since = opts.since;
    return q;
  }

  async function listProject(project: string, signal: AbortSignal, scope: ProjectScope = {}): Promise<{ containers: string[]; networks: Array<{ id: string; name: string }>; volumes: string[] }> {
    const label = [`${LABEL_PROJECT}=${project}`];
    if (scope.owner) label.push(`${LABEL_OWNER}=${scope.owner}`, `${LABEL_INSTANCE}=${project}`);
    const filters = { label };
    const d = await docker();
    const [containers, volumes, networks] = await Promise.all([
      d.listContainers({ all: true, filters, abortSignal: signal }),
      d.listVolumes({ filters, abortSignal: signal } as Dockerode.VolumeListOptions),
      d.listNetworks({ filters, abortSignal: signal } as Dockerode.NetworkListOptions),
    ]);
    return {
      containers: containers.map((c) => c.Id),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name),
      networks: (networks ?? []).map((n) => ({ id: n.Id, name: n.Name })),
    };
  }

  /** true when fn resolves, false on 404, engine errors otherwise. */
  async function existsCall(fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await call(queryTimeoutMs, fn);
      return true;
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (statusCode(err) === 404 || statusCode(cause) === 404) return false;
      throw err;
    }
  }

  return {
    ...networkOps({ call, getJson, docker, queryTimeoutMs }),

    async ping(timeoutMs = pingMs): Promise<EngineInfo> {
      return call(timeoutMs, async (signal) => {
        await getJson<unknown>('/_ping', {}, signal);
        const v = await getJson<{ Version?: string; ApiVersion?: string }>('/version', {}, signal);
        return { endpoint: endpoint.display, version: v.Version ?? '', apiVersion: v.ApiVersion ?? '' };
      }, false);
    },

    async listContainers(opts = {}): Promise<ContainerInfo[]> {
      const projects = opts.projects;
      if (projects && projects.length === 0) return [];
      const label = projects && projects.length === 1 ? [`${LABEL_PROJECT}=${projects[0]}`] : [LABEL_PROJECT];
      const raw = await call(queryTimeoutMs, (signal) => getJson<RawContainer[]>('/containers/json', { all: opts.all ?? true, filters: { label } }, signal));
      const wanted = projects && projects.length > 1 ? new Set(projects) : null;
      const list = raw.map(toContainerInfo);
      return wanted ? list.filter((c) => wanted.has(c.project)) : list;
    },

    async logs(containerId: string, opts: LogOptions = {}): Promise<LogLine[]> {
      return call(queryTimeoutMs * 4, async (signal) => {
        const tty = await isTty(containerId, signal);
        const stream = await dialStream(`/containers/${encodeURIComponent(containerId)}/logs`, logQuery(opts, false), signal);
        const lines: LogLine[] = [];
        const demux = new LogLineDemuxer((l) => lines.push(l), { tty });
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (chunk: Buffer) => demux.push(chunk));
          stream.on('end', resolve);
          stream.on('error', reject);
        });
        demux.end();
        return lines;
      });
    },

    async followLogs(containerId: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<() => void> {
      const { tty, stream } = await call(queryTimeoutMs, async (signal) => {
        const tty = await isTty(containerId, signal);
        // no abort signal on the stream itself: it must outlive this call
        const stream = await dialStream(`/containers/${encodeURIComponent(containerId)}/logs`, logQuery(opts, true));
        return { tty, stream };
      });
      const demux = new LogLineDemuxer(onLine, { tty });
      let stopped = false;
      stream.on('data', (chunk: Buffer) => {
        if (!stopped) demux.push(chunk);
      });
      const finish = () => {
        if (stopped) return;
        stopped = true;
        demux.end();
      };
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', finish);
      return () => {
        finish();
        stream.destroy();
      };
    },

    async exec(containerId: string, cmd: string[], opts = {}): Promise<ExecResult> {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_MS;
      const started = Date.now();
      const container = (await docker()).getContainer(containerId);
      const execOpts: Dockerode.ExecCreateOptions = { Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false };
      if (opts.env) execOpts.Env = opts.env;
      const handle = await call(queryTimeoutMs, () => container.exec(execOpts));
      const stream = (await call(queryTimeoutMs, () => handle.start({ hijack: true, stdin: false }))) as unknown as Readable;
      const chunks: Buffer[] = [];
      const demux = new FrameDemuxer((_s, data) => chunks.push(Buffer.from(data)));
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => {
            stream.destroy();
            reject(new Error(`exec ${JSON.stringify(cmd.join(' '))} in container ${containerId.slice(0, 12)} timed out after ${timeoutMs} ms`));
          }, Math.max(0, timeoutMs - (Date.now() - started)));
          stream.on('data', (chunk: Buffer) => demux.push(chunk));
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', (err) => reject(mapEngineError(err, endpoint)));
        });
      } finally {
        clearTimeout(timer);
      }
      demux.end();
      // the exit code is set a moment after the output stream closes
      let exitCode: number | null = null;
      for (let i = 0; i < 50; i++) {
        const info = await call(queryTimeoutMs, (signal) => handle.inspect({ abortSignal: signal }));
        if (!info.Running) {
          exitCode = info.ExitCode;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return { exitCode: exitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
    },

    async projectResources(project: string, scope?: ProjectScope): Promise<ProjectResources> {
      const r = await call(queryTimeoutMs, (signal) => listProject(project, signal, scope));
      return { containers: r.containers, volumes: r.volumes, networks: r.networks.map((n) => n.name) };
    },

    async removeProjectResources(project: string, scope?: ProjectScope): Promise<void> {
      const r = await call(queryTimeoutMs, (signal) => listProject(project, signal, scope));
      if (scope?.volumes === false) r.volumes = [];
      const failures: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await call(queryTimeoutMs * 2, () => fn()); // bounded, and watched: a hung engine is not waited for
        } catch (err) {
          const mapped = mapEngineError(err, endpoint);
          if (mapped instanceof EngineUnavailableError) throw mapped;
          if (statusCode(err) === 404) return; // already gone
          failures.push(`${what}: ${err instanceof Error ? err.message.trim() : String(err)}`);
        }
      };
      const d = await docker();
      await Promise.all(r.containers.map((id) => attempt(`container ${id.slice(0, 12)}`, () => d.getContainer(id).remove({ force: true, v: true }))));
      await Promise.all(r.networks.map((n) => attempt(`network ${n.name}`, () => removeNetworkForce(d, n.id))));
      await Promise.all(r.volumes.map((v) => attempt(`volume ${v}`, () => d.getVolume(v).remove())));
      if (failures.length > 0) {
        throw new Error(`Could not remove all resources of compose project "${project}":\n  ${failures.join('\n  ')}`);
      }
    },

    async inspect(containerId: string): Promise<ContainerDetails> {
      const info = await call(queryTimeoutMs, async (signal) => (await docker()).getContainer(containerId).inspect({ abortSignal: signal }));
      const st = info.State as Dockerode.ContainerInspectInfo['State'] & { Health?: { Status?: string } };
      const time = (t: string | undefined) => (t && !t.startsWith('0001-01-01') ? t : null);
      return {
        exitCode: st.Running ? null : st.ExitCode,
        restartCount: info.RestartCount ?? 0,
        startedAt: time(st.StartedAt),
        finishedAt: time(st.FinishedAt),
        health: st.Health?.Status ?? 'none',
        oomKilled: st.OOMKilled === true,
        labels: info.Config?.Labels ?? {},
        ...healthcheckOf(info.Config as { Healthcheck?: RawHealthcheck } | undefined),
      };
    },

    async networkExists(name: string): Promise<boolean> {
      return existsCall(async () => (await docker()).getNetwork(name).inspect());
    },

    async createNetwork(name: string, labels: Record<string, string> = {}): Promise<void> {
      await call(queryTimeoutMs, async () => (await docker()).createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels }));
    },

    async volumeExists(name: string): Promise<boolean> {
      return existsCall(async () => (await docker()).getVolume(name).inspect());
    },

    async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
      await call(queryTimeoutMs, async () => (await docker()).createVolume({ Name: name, Labels: labels }));
    },

    async events(onEvent: (e: EngineEvent) => void, onError: (err: Error) => void): Promise<() => void> {
      const stream = (await call(queryTimeoutMs, async () =>
        (await docker()).getEvents({ filters: { type: ['container'], label: [LABEL_PROJECT] } }),
      )) as unknown as Readable;
      let stopped = false;
      const parser = new JsonLineParser((msg) => {
        if (stopped) return;
        const e = toEngineEvent(msg);
        if (e) onEvent(e);
      });
      const fail = (err: Error) => {
        if (stopped) return;
        stopped = true;
        onError(err);
      };
      stream.on('data', (chunk: Buffer) => parser.push(chunk));
      stream.on('error', (err: Error) => {
        const mapped = mapEngineError(err, endpoint);
        fail(mapped instanceof Error ? mapped : err);
      });
      const ended = () => fail(new EngineUnavailableError(`Docker event stream ended (${endpoint.display}): the engine stopped or restarted`, endpoint.display));
      stream.on('end', ended);
      stream.on('close', ended);
      return () => {
        stopped = true;
        stream.destroy();
      };
    },
  };
}
