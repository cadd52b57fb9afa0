// The Startability Gate: every check runs concurrently under ONE deadline, each retried on a short interval
// with its own per-attempt timeout. The first definitive failure ends the gate (nothing waits for a verdict
// that is already known), and so does the last check passing (nothing waits for a sleeper to wake up).
// Time and I/O are injected, so the whole thing is unit-testable with fakes.
import type { Clock, Engine, Http, Tcp } from './deps';
import { tcpRunner } from './gate-tcp';
import type { GateCheckSpec, Manifest } from './manifest-schema';
import { expandTemplate } from './ports';
import type { CheckResult, ContainerInfo, GateReport } from './types';
import { isolationRunner } from './gate-isolation-runner';

export const CONTAINERS_CHECK = 'containers';
const EXITED_GRACE_MS = 3_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 3_000;
/**
 * HTTP checks are retried at this fraction of the manifest interval (100 ms at the default 0.25 s): a GET on
 * loopback costs next to nothing, while an exec check is a `docker exec` (~50-80 ms of CPU) and keeps the
 * full interval. The retry interval bounds how late a check notices it can pass.
 */
export const HTTP_INTERVAL_FACTOR = 0.4;
const MIN_INTERVAL_MS = 50;
/** The containers check shares a listing only with callers of the same moment (a pending call, in practice). */
const FRESH_LISTING_MS = 20;
const LOG_TAIL = 30;

export type GateEvent = { type: 'gate-start'; checks: CheckResult[]; timeoutMs: number } | { type: 'gate-check'; check: CheckResult };

export interface GateInput {
  instanceId: string;
  project: string;
  manifest: Manifest;
  vars: Record<string, string>;
  /** Services a plain `up` starts, and which of them publish host ports (from the compose model). */
  services: string[];
  publishing: string[];
  /** Names this project's services answer to (service names, aliases): the isolation check. */
  names?: string[];
  timeoutMs?: number;
  deps: { engine: Engine; http: Http; clock: Clock; tcp?: Tcp };
  onEvent?: (e: GateEvent) => void;
}

export type Attempt =
  | { ok: true; message: string; details?: string[] }
  /** notReady: the check could not even be tried (no container yet): retried even when retry is false. */
  | { ok: false; message: string; final?: boolean; notReady?: boolean; details?: string[]; services?: string[] };

export interface Runner {
  spec: { name: string; label: string; dependsOn: string[]; retry: boolean; services: string[]; watch?: boolean };
  /** Pause between the end of one attempt and the start of the next. */
  intervalMs: number;
  attempt(signalMs: number): Promise<Attempt>;
}

/** A container listing no older than maxAgeMs (the pending call counts: concurrent callers share it). */
type Containers = (maxAgeMs?: number) => Promise<ContainerInfo[]>;

export async function runGate(input: GateInput): Promise<GateReport> {
  const { deps, manifest } = input;
  const clock = deps.clock;
  const timeoutMs = input.timeoutMs ?? manifest.gate.timeout * 1000;
  const intervalMs = Math.max(MIN_INTERVAL_MS, manifest.gate.interval * 1000);
  const httpIntervalMs = Math.max(MIN_INTERVAL_MS, Math.round(intervalMs * HTTP_INTERVAL_FACTOR));
  const t0 = clock.now();
  const deadline = t0 + timeoutMs;
  const emit = input.onEvent ?? (() => undefined);

  // One container listing per tick, shared by every check that needs it (the pending call is shared too).
  // Exec checks only look up a container id and accept a listing up to half an interval old; the containers
  // check judges health from it and asks for a fresh one, else it would see a state up to that much late.
  let cached: { at: number; list: Promise<ContainerInfo[]> } | undefined;
  const containers: Containers = async (maxAgeMs = intervalMs / 2) => {
    const now = clock.now();
    if (!cached || now - cached.at >= maxAgeMs) {
      const list = deps.engine.listContainers({ projects: [input.project], all: true });
      cached = { at: now, list };
      list.catch(() => {
        if (cached?.list === list) cached = undefined;
      });
    }
    return (await cached.list).filter((c) => !c.oneOff);
  };

  const runners: Runner[] = manifest.gate.checks.map((spec) => makeRunner(spec, input, containers, 'exec' in spec ? intervalMs : httpIntervalMs));
  runners.push(containersRunner(input, containers, intervalMs));
  if (input.names) runners.push(isolationRunner(input.deps.engine, input.project, input.names));

  const results = new Map<string, CheckResult>();
  for (const r of runners) {
    results.set(r.spec.name, {
      name: r.spec.name,
      label: r.spec.label,
      state: 'pending',
      message: '',
      attempts: 0,
      startedAt: 0,
      elapsedMs: 0,
      services: r.spec.services,
    });
  }
  emit({ type: 'gate-start', checks: [...results.values()].map((c) => ({ ...c })), timeoutMs });

  // abort: the gate failed, every check stops. done: additionally fired once no check is pending any more,
  // which wakes a passed watcher at once instead of at the end of its sleep.
  const abort = new AbortController();
  const done = new AbortController();
  abort.signal.addEventListener('abort', () => done.abort(), { once: true });
  const pending = () => [...results.values()].some((c) => c.state === 'pending');
  const settled = new Map<string, Promise<CheckResult>>();
  const settle = (name: string, patch: Partial<CheckResult>): CheckResult => {
    const cur = results.get(name)!;
    Object.assign(cur, patch, { elapsedMs: clock.now() - t0 });
    emit({ type: 'gate-check', check: { ...cur } });
    if (!pending()) done.abort();
    return cur;
  };

  const run = async (r: Runner): Promise<CheckResult> => {
    for (const dep of r.spec.dependsOn) {
      const d = await settled.get(dep);
      if (!d || d.state !== 'passed') {
        return settle(r.spec.name, { state: 'skipped', message: `skipped: "${dep}" did not pass` });
      }
    }
    const res = results.get(r.spec.name)!;
    res.startedAt = clock.now() - t0;
    let last: Attempt | undefined;
    while (!abort.signal.aborted) {
      const remaining = deadline - clock.now();
      if (remaining <= 0) break;
      res.attempts++;
      last = await r.attempt(remaining).catch((err: Error): Attempt => ({ ok: false, message: err.message }));
      if (last.ok) {
        const passed = settle(r.spec.name, { state: 'passed', message: last.message, details: last.details });
        return r.spec.watch ? watch(r, passed) : passed;
      }
      if (last.final || (!r.spec.retry && !last.notReady)) {
        abort.abort();
        return settle(r.spec.name, {
          state: 'failed',
          message: last.message,
          details: last.details,
          services: last.services ?? r.spec.services,
        });
      }
      await clock.sleep(Math.min(r.intervalMs, Math.max(0, deadline - clock.now())), abort.signal).catch(() => undefined);
    }
    if (abort.signal.aborted && clock.now() < deadline) {
      return settle(r.spec.name, {
        state: 'skipped',
        message: `stopped: the gate already failed${last ? ` (last attempt: ${last.message})` : ''}`,
      });
    }
    abort.abort();
    const secs = Math.round(timeoutMs / 1000);
    return settle(r.spec.name, {
      state: 'failed',
      message: `timed out after ${secs}s${last ? `: ${last.message}` : ''}`,
      details: last?.details,
      services: (last && !last.ok && last.services) || r.spec.services,
    });
  };

  // A passed watcher (containers) keeps looking while other checks are still running: a container that
  // dies meanwhile ends the gate at once instead of at the deadline. It stops the moment the last other check
  // settles, mid-sleep or mid-attempt: waiting for a listing still in flight would only let a death observed
  // a few ms after the verdict count, the same race as that check passing a few ms earlier.
  const finished = new Promise<null>((resolve) => done.signal.addEventListener('abort', () => resolve(null), { once: true }));
  const watch = async (r: Runner, passed: CheckResult): Promise<CheckResult> => {
    while (!done.signal.aborted && clock.now() < deadline) {
      await clock.sleep(Math.min(r.intervalMs, Math.max(0, deadline - clock.now())), done.signal).catch(() => undefined);
      if (done.signal.aborted) break;
      const a = await Promise.race([
        r.attempt(deadline - clock.now()).catch((err: Error): Attempt => ({ ok: false, message: err.message })),
        finished,
      ]);
      if (a && !a.ok && a.final) {
        abort.abort();
        return settle(r.spec.name, { state: 'failed', message: a.message, details: a.details, services: a.services ?? r.spec.services });
      }
    }
    return passed;
  };

  // Register every promise before any of them awaits a dependency.
  for (const r of runners) {
    let resolve!: (c: CheckResult) => void;
    settled.set(r.spec.name, new Promise<CheckResult>((res) => (resolve = res)));
    queueMicrotask(() => void run(r).then(resolve));
  }
  const checks = await Promise.all([...settled.values()]);
  const passed = checks.every((c) => c.state === 'passed');
  const failedServices = [...new Set(checks.filter((c) => c.state === 'failed').flatMap((c) => c.services))];
  const logTails = passed ? {} : await tailLogs(deps.engine, await containers().catch(() => []), failedServices);
  const report: GateReport = {
    instance: input.instanceId,
    passed,
    startedAt: new Date(t0).toISOString(),
    elapsedMs: clock.now() - t0,
    timeoutMs,
    checks,
    logTails,
  };
  const hints = diagnose(report);
  if (hints.length) report.hints = hints;
  return report;
}

/** Known failure signatures → the fix to suggest. */
export function diagnose(r: GateReport): string[] {
  if (r.passed) return [];
  const text = [
    ...r.checks.flatMap((c) => [c.message, ...(c.details ?? [])]),
    ...Object.values(r.logTails).flat(),
  ].join('\n');
  const hints: string[] = [];
  if (/password authentication failed/i.test(text)) {
    hints.push(
      'The database rejects this instance\'s password: its volume was initialised with another one (a reused volume keeps its first password). ' +
        'Reset it with `ktrdr-sandbox down -v` then `ktrdr-sandbox up` (this deletes the instance\'s database data).',
    );
  }
  if (/relation .* does not exist/i.test(text)) {
    hints.push('A table is missing: migrations did not run or failed. Check the "migrations" check output above.');
  }
  return hints;
}

function makeRunner(spec: GateCheckSpec, input: GateInput, containers: Containers, intervalMs: number): Runner {
  const attemptTimeout = spec.timeout ? spec.timeout * 1000 : DEFAULT_ATTEMPT_TIMEOUT_MS;
  if ('exec' in spec) {
    const { service, command } = spec.exec;
    const retry = spec.retry;
    return {
      spec: { name: spec.name, label: spec.label ?? spec.name, dependsOn: spec.dependsOn, retry, services: [service] },
      intervalMs,
      async attempt(remaining) {
        const c = (await containers()).find((x) => x.service === service && x.state === 'running');
        if (!c) return { ok: false, notReady: true, message: `service "${service}" has no running container` };
        const res = await input.deps.engine.exec(c.id, command.map((a) => expandTemplate(a, input.vars)), {
          timeoutMs: Math.min(attemptTimeout, remaining),
        });
        const out = res.output.trim();
        const lines = out ? out.split('\n').slice(-40) : [];
        if (res.exitCode === 0) return { ok: true, message: lastLine(out) || `${command[0]} succeeded`, details: retry ? undefined : lines };
        return { ok: false, message: `${command.join(' ')} exited ${res.exitCode}${out ? `: ${lastLine(out)}` : ''}`, details: lines };
      },
    };
  }
  if ('tcp' in spec) return tcpRunner(spec, input, intervalMs, attemptTimeout);
  const { url, status, minItems, itemsKey } = spec.http;
  const target = expandTemplate(url, input.vars);
  return {
    spec: {
      name: spec.name,
      label: spec.label ?? spec.name,
      dependsOn: spec.dependsOn,
      retry: true,
      services: spec.service ? [spec.service] : [],
    },
    intervalMs,
    async attempt(remaining) {
      let res: { status: number; body: string };
      try {
        res = await input.deps.http.get(target, Math.min(attemptTimeout, remaining));
      } catch (err) {
        return { ok: false, message: `GET ${target}: ${describeFetchError(err)}` };
      }
      if (!status.includes(res.status)) {
        return { ok: false, message: `GET ${target} → ${res.status}${res.body ? `: ${res.body.slice(0, 200).trim()}` : ''}` };
      }
      if (minItems === undefined) return { ok: true, message: `GET ${target} → ${res.status}` };
      const n = countItems(res.body, itemsKey);
      if (n === null) return { ok: false, message: `GET ${target}: body is not a JSON list` };
      if (n < minItems) return { ok: false, message: `${n} of ${minItems} expected items` };
      return { ok: true, message: `${n} registered (≥ ${minItems})` };
    },
  };
}

/** (e) Docker healthchecks: gated services must be running and healthy (or have no healthcheck). */
function containersRunner(input: GateInput, containers: Containers, intervalMs: number): Runner {
  const cfg = input.manifest.gate.containers;
  const gated = (cfg.gate ?? input.publishing).filter((s) => !cfg.ignore.includes(s));
  const exitedSince = new Map<string, number>();
  return {
    spec: { name: CONTAINERS_CHECK, label: 'Containers healthy', dependsOn: [], retry: true, services: gated, watch: true },
    intervalMs,
    async attempt() {
      const list = await containers(FRESH_LISTING_MS);
      const now = input.deps.clock.now();
      const problems: string[] = [];
      const finalProblems: string[] = [];
      const details: string[] = [];
      let healthy = 0;
      for (const svc of input.services) {
        const cs = list.filter((c) => c.service === svc);
        const isGated = gated.includes(svc);
        const c = cs.find((x) => x.state === 'running') ?? cs[0];
        const desc = !c ? 'no container' : c.state !== 'running' ? `${c.state} (${c.status})` : c.health === 'none' ? 'running' : c.health;
        const ok = !!c && c.state === 'running' && (c.health === 'healthy' || c.health === 'none');
        if (ok) healthy++;
        details.push(`${ok ? '✓' : isGated ? '✗' : '·'} ${svc}: ${desc}${isGated ? '' : ' (not gated)'}`);
        if (!isGated || ok) {
          exitedSince.delete(svc);
          continue;
        }
        problems.push(`${svc} ${desc}`);
        if (c && (c.state === 'exited' || c.state === 'dead')) {
          const since = exitedSince.get(svc) ?? now;
          exitedSince.set(svc, since);
          if (now - since >= EXITED_GRACE_MS) finalProblems.push(svc);
        } else if (c && c.health === 'unhealthy') {
          const since = exitedSince.get(svc) ?? now;
          exitedSince.set(svc, since);
        } else exitedSince.delete(svc);
      }
      const total = input.services.length;
      if (problems.length === 0) return { ok: true, message: `${healthy}/${total} healthy`, details };
      return {
        ok: false,
        message: `${healthy}/${total} healthy; ${problems.join(', ')}`,
        details,
        final: finalProblems.length > 0,
        services: problems.map((p) => p.split(' ')[0]!),
      };
    },
  };
}

function countItems(body: string, key?: string): number | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  if (Array.isArray(data)) return data.length;
  if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    const v = key ? obj[key] : Object.values(obj).find(Array.isArray);
    if (Array.isArray(v)) return v.length;
  }
  return null;
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  if (e?.cause?.code) return e.cause.code === 'ECONNREFUSED' ? 'connection refused' : e.cause.code;
  return e?.cause?.message ?? e?.message ?? String(err);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

async function tailLogs(engine: Engine, list: ContainerInfo[], services: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await Promise.all(
    services.map(async (svc) => {
      const c = list.find((x) => x.service === svc);
      if (!c) return;
      try {
        const lines = await engine.logs(c.id, { tail: LOG_TAIL });
        out[svc] = lines.map((l) => l.text);
      } catch (err) {
        out[svc] = [`(could not read logs: ${(err as Error).message})`];
      }
    }),
  );
  return out;
}
