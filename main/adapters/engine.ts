// Engine: queries, logs, exec, events and last-resort cleanup of compose projects — the only module talking to
// the Docker API for the core. Every call goes through one client (engine-transport.ts: timeouts, the ping
// watchdog, one error shape: EngineUnavailableError or DockerApiError).
import type {
  ContainerDetails,
  ContainerHealthcheck,
  Engine,
  EngineEvent,
  EngineInfo,
  ExecResult,
  LogLine,
  LogOptions,
  ProjectResources,
  ProjectScope,
} from '../core/deps';
import { LABEL_INSTANCE, LABEL_OWNER } from '../core/labels';
import { networkOps } from './engine-networks';
import type { ContainerInfo } from '../shared/types';
import { LABEL_PROJECT, toContainerInfo, toEngineEvent, type RawContainer } from './container-info';
import { FrameDemuxer, LogLineDemuxer } from './demux';
import type Dockerode from 'dockerode';
import { EngineUnavailableError } from '../core/deps';
import { type DockerQuery } from './docker-api';
import type { DockerEndpoint } from './docker-endpoint';
import { mapEngineError } from './engine-errors';
import { createEngineTransport } from './engine-transport';
import { JsonLineParser } from './json-lines';

export interface EngineOptions {
  env?: NodeJS.ProcessEnv;
  /** Upper bound for list/inspect style calls on a live engine. Default 15 s (a hung one: see DEFAULT_PING_MS). */
  queryTimeoutMs?: number;
  /** Ping timeout (and the watchdog's). Default: KTRDR_SANDBOX_PING_TIMEOUT_MS, else DEFAULT_PING_MS. */
  pingTimeoutMs?: number;
}

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
  return {
    healthcheck: {
      test: h.Test,
      intervalMs: ms(h.Interval),
      timeoutMs: ms(h.Timeout),
      retries: h.Retries ?? 0,
      startPeriodMs: ms(h.StartPeriod),
    },
  };
}

function statusCode(err: unknown): number | undefined {
  const s = err !== null && typeof err === 'object' ? (err as { statusCode?: unknown }).statusCode : undefined;
  return typeof s === 'number' ? s : undefined;
}

export function createEngine(endpoint: DockerEndpoint, options: EngineOptions = {}): Engine {
  const env = options.env ?? process.env;
  const queryTimeoutMs = options.queryTimeoutMs ?? 15_000;
  const { pingMs, call, json, getJson, stream } = createEngineTransport(endpoint, {
    env,
    ...(options.pingTimeoutMs !== undefined ? { pingTimeoutMs: options.pingTimeoutMs } : {}),
  });

  const containerPath = (id: string) => `/containers/${encodeURIComponent(id)}`;

  async function isTty(containerId: string, signal: AbortSignal): Promise<boolean> {
    const info = await getJson<{ Config?: { Tty?: boolean } }>(`${containerPath(containerId)}/json`, {}, signal);
    return info.Config?.Tty === true;
  }

  function logQuery(opts: LogOptions, follow: boolean): DockerQuery {
    const q: DockerQuery = { stdout: true, stderr: true, follow, timestamps: opts.timestamps === true };
    if (opts.tail !== undefined) q.tail = opts.tail;
    if (opts.since !== undefined) q.since = opts.since;
    return q;
  }

  async function listProject(
    project: string,
    signal: AbortSignal,
    scope: ProjectScope = {},
  ): Promise<{ containers: string[]; networks: Array<{ id: string; name: string }>; volumes: string[] }> {
    const label = [`${LABEL_PROJECT}=${project}`];
    if (scope.owner) label.push(`${LABEL_OWNER}=${scope.owner}`, `${LABEL_INSTANCE}=${project}`);
    const filters = { label };
    const [containers, volumes, networks] = await Promise.all([
      getJson<Array<{ Id: string }>>('/containers/json', { all: true, filters }, signal),
      getJson<{ Volumes?: Array<{ Name: string }> | null }>('/volumes', { filters }, signal),
      getJson<Array<{ Id: string; Name: string }> | null>('/networks', { filters }, signal),
    ]);
    return {
      containers: containers.map((c) => c.Id),
      volumes: (volumes.Volumes ?? []).map((v) => v.Name),
      networks: (networks ?? []).map((n) => ({ id: n.Id, name: n.Name })),
    };
  }

  /** true when GET path answers, false on 404, engine errors otherwise. */
  async function exists(path: string): Promise<boolean> {
    try {
      await call(queryTimeoutMs, (signal) => getJson(path, {}, signal));
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  /** Remove a network, first letting go of containers of other stacks connected to it by isolation (a collector). */
  async function removeNetworkForce(id: string): Promise<void> {
    const path = `/networks/${encodeURIComponent(id)}`;
    const info = await json<{ Containers?: Record<string, unknown> | null }>('GET', path, {}, undefined);
    for (const c of Object.keys(info.Containers ?? {}))
      await json('POST', `${path}/disconnect`, {}, undefined, { Container: c, Force: true }).catch(() => undefined);
    await json('DELETE', path, {}, undefined);
  }

  return {
    ...networkOps({ call, getJson, json, queryTimeoutMs }),

    async ping(timeoutMs = pingMs): Promise<EngineInfo> {
      return call(
        timeoutMs,
        async (signal) => {
          await getJson<unknown>('/_ping', {}, signal);
          const v = await getJson<{ Version?: string; ApiVersion?: string }>('/version', {}, signal);
          return { endpoint: endpoint.display, version: v.Version ?? '', apiVersion: v.ApiVersion ?? '' };
        },
        false,
      );
    },

    async listContainers(opts = {}): Promise<ContainerInfo[]> {
      const projects = opts.projects;
      if (projects && projects.length === 0) return [];
      const label = projects && projects.length === 1 ? [`${LABEL_PROJECT}=${projects[0]}`] : [LABEL_PROJECT];
      const raw = await call(queryTimeoutMs, (signal) =>
        getJson<RawContainer[]>('/containers/json', { all: opts.all ?? true, filters: { label } }, signal),
      );
      const wanted = projects && projects.length > 1 ? new Set(projects) : null;
      const list = raw.map(toContainerInfo);
      return wanted ? list.filter((c) => wanted.has(c.project)) : list;
    },

    async logs(containerId: string, opts: LogOptions = {}): Promise<LogLine[]> {
      return call(queryTimeoutMs * 4, async (signal) => {
        const tty = await isTty(containerId, signal);
        const out = await stream('GET', `${containerPath(containerId)}/logs`, logQuery(opts, false), signal);
        const lines: LogLine[] = [];
        const demux = new LogLineDemuxer((l) => lines.push(l), { tty });
        await new Promise<void>((resolve, reject) => {
          out.on('data', (chunk: Buffer) => demux.push(chunk));
          out.on('end', resolve);
          out.on('error', reject);
        });
        demux.end();
        return lines;
      });
    },

    async followLogs(containerId: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<() => void> {
      const { tty, out } = await call(queryTimeoutMs, async (signal) => {
        const tty = await isTty(containerId, signal);
        // no abort signal on the stream itself: it must outlive this call
        const out = await stream('GET', `${containerPath(containerId)}/logs`, logQuery(opts, true));
        return { tty, out };
      });
      const demux = new LogLineDemuxer(onLine, { tty });
      let stopped = false;
      out.on('data', (chunk: Buffer) => {
        if (!stopped) demux.push(chunk);
      });
      const finish = () => {
        if (stopped) return;
        stopped = true;
        demux.end();
      };
      out.on('end', finish);
      out.on('close', finish);
      out.on('error', finish);
      return () => {
        finish();
        out.destroy();
      };
    },

    async exec(containerId: string, cmd: string[], opts = {}): Promise<ExecResult> {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_MS;
      const started = Date.now();
      const execOpts: Dockerode.ExecCreateOptions = { Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false };
      if (opts.env) execOpts.Env = opts.env;
      const { Id: execId } = await call(queryTimeoutMs, (signal) =>
        json<{ Id: string }>('POST', `${containerPath(containerId)}/exec`, {}, signal, execOpts),
      );
      const execPath = `/exec/${encodeURIComponent(execId)}`;
      // the output stream must outlive the call's watchdog: no abort signal on it (the timer below ends it)
      const out = await call(queryTimeoutMs, () => stream('POST', `${execPath}/start`, {}, undefined, { Detach: false, Tty: false }));
      const chunks: Buffer[] = [];
      const demux = new FrameDemuxer((_s, data) => chunks.push(Buffer.from(data)));
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(
            () => {
              out.destroy();
              reject(
                new Error(`exec ${JSON.stringify(cmd.join(' '))} in container ${containerId.slice(0, 12)} timed out after ${timeoutMs} ms`),
              );
            },
            Math.max(0, timeoutMs - (Date.now() - started)),
          );
          out.on('data', (chunk: Buffer) => demux.push(chunk));
          out.on('end', resolve);
          out.on('close', resolve);
          out.on('error', (err) => reject(mapEngineError(err, endpoint)));
        });
      } finally {
        clearTimeout(timer);
      }
      demux.end();
      // the exit code is set a moment after the output stream closes
      let exitCode: number | null = null;
      for (let i = 0; i < 50; i++) {
        const info = await call(queryTimeoutMs, (signal) =>
          getJson<{ Running?: boolean; ExitCode?: number | null }>(`${execPath}/json`, {}, signal),
        );
        if (!info.Running) {
          exitCode = info.ExitCode ?? null;
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
      await Promise.all(
        r.containers.map((id) =>
          attempt(`container ${id.slice(0, 12)}`, () => json('DELETE', containerPath(id), { force: true, v: true }, undefined)),
        ),
      );
      await Promise.all(r.networks.map((n) => attempt(`network ${n.name}`, () => removeNetworkForce(n.id))));
      await Promise.all(
        r.volumes.map((v) => attempt(`volume ${v}`, () => json('DELETE', `/volumes/${encodeURIComponent(v)}`, {}, undefined))),
      );
      if (failures.length > 0) {
        throw new Error(`Could not remove all resources of compose project "${project}":\n  ${failures.join('\n  ')}`);
      }
    },

    async inspect(containerId: string): Promise<ContainerDetails> {
      const info = await call(queryTimeoutMs, (signal) =>
        getJson<Dockerode.ContainerInspectInfo>(`${containerPath(containerId)}/json`, {}, signal),
      );
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
      return exists(`/networks/${encodeURIComponent(name)}`);
    },

    async createNetwork(name: string, labels: Record<string, string> = {}): Promise<void> {
      await call(queryTimeoutMs, (signal) =>
        json('POST', '/networks/create', {}, signal, { Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels }),
      );
    },

    async volumeExists(name: string): Promise<boolean> {
      return exists(`/volumes/${encodeURIComponent(name)}`);
    },

    async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
      await call(queryTimeoutMs, (signal) => json('POST', '/volumes/create', {}, signal, { Name: name, Labels: labels }));
    },

    async events(onEvent: (e: EngineEvent) => void, onError: (err: Error) => void): Promise<() => void> {
      // no abort signal: the stream outlives this call
      const events = await call(queryTimeoutMs, () =>
        stream('GET', '/events', { filters: { type: ['container'], label: [LABEL_PROJECT] } }),
      );
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
      events.on('data', (chunk: Buffer) => parser.push(chunk));
      events.on('error', (err: Error) => {
        const mapped = mapEngineError(err, endpoint);
        fail(mapped instanceof Error ? mapped : err);
      });
      const ended = () =>
        fail(
          new EngineUnavailableError(`Docker event stream ended (${endpoint.display}): the engine stopped or restarted`, endpoint.display),
        );
      events.on('end', ended);
      events.on('close', ended);
      return () => {
        stopped = true;
        events.destroy();
      };
    },
  };
}
