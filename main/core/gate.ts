// The Startability Gate: every check runs concurrently under ONE deadline, each retried on a short interval
// with its own per-attempt timeout. The first definitive failure ends the gate (nothing waits for a verdict
// that is already known), and so does the last check passing (nothing waits for a sleeper to wake up).
// A service that is down for good (exited, restart loop, never started: gate-faults.ts) fails the check that
// OWNS it — the first check in manifest order naming the service, else the containers check — whichever
// check happened to notice, so the same crash is always reported the same way.
// Time and I/O are injected, so the whole thing is unit-testable with fakes.
import type { Engine } from './deps';
import { makeRunner } from './gate-checks';
import { CONTAINERS_CHECK, containersRunner } from './gate-containers';
import { faultHint, type Fault } from './gate-faults';
import type { Attempt, Containers, GateInput, Runner } from './gate-runner';
import type { CheckResult, ContainerInfo, GateReport } from '../shared/types';
import { isolationRunner } from './gate-isolation-runner';
import type { GateEvent } from '../shared/events';

export { CONTAINERS_CHECK } from './gate-containers';
/**
 * HTTP checks are retried at this fraction of the manifest interval (100 ms at the default 0.25 s): a GET on
 * loopback costs next to nothing, while an exec check is a `docker exec` (~50-80 ms of CPU) and keeps the
 * full interval. The retry interval bounds how late a check notices it can pass.
 */
export const HTTP_INTERVAL_FACTOR = 0.4;
const MIN_INTERVAL_MS = 50;
/**
 * Less time than this left before the deadline is no attempt: a probe given 1 ms can only time out, and its
 * "timed out after 1 ms" would replace what the last real attempt said (→ 404, refused). A probe on loopback
 * answers in a few ms, tens on a loaded machine. The first attempt runs whatever the budget.
 */
export const MIN_ATTEMPT_MS = 100;
const LOG_TAIL = 30;

export type { GateEvent };

export type { GateInput } from './gate-runner';

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

  const runners: Runner[] = manifest.gate.checks.map((spec) =>
    makeRunner(spec, input, containers, 'exec' in spec ? intervalMs : httpIntervalMs),
  );
  // Who owns a service's faults: the first check naming it, else the containers check. Watched: those
  // services plus the gated ones (a one-shot job nobody names may exit, that is its job).
  const owner = new Map<string, string>();
  for (const r of runners) for (const svc of r.spec.services) if (!owner.has(svc)) owner.set(svc, r.spec.name);
  const cfg = manifest.gate.containers;
  const gated = (cfg.gate ?? input.publishing).filter((s) => !cfg.ignore.includes(s));
  const watched = input.services.filter((s) => owner.has(s) || gated.includes(s));
  const ctr = containersRunner(input, containers, intervalMs, t0, watched);
  runners.push(ctr.runner);
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
  if (input.signal) {
    if (input.signal.aborted) abort.abort();
    else input.signal.addEventListener('abort', () => abort.abort(), { once: true });
  }
  const done = new AbortController();
  abort.signal.addEventListener('abort', () => done.abort(), { once: true });
  const pending = () => [...results.values()].some((c) => c.state === 'pending');
  const settled = new Map<string, Promise<CheckResult>>();
  const settle = (name: string, patch: Partial<CheckResult>): CheckResult => {
    const cur = results.get(name)!;
    if (cur.state === 'failed') return cur; // a fault already blamed this check: its verdict stands
    Object.assign(cur, patch, { elapsedMs: clock.now() - t0 });
    emit({ type: 'gate-check', check: { ...cur } });
    if (!pending()) done.abort();
    return cur;
  };

  /** A fault fails the check owning its service, whatever that check is doing (waiting, retrying, passed). */
  const failOwner = (fault: Fault): CheckResult => {
    const name = owner.get(fault.service!) ?? CONTAINERS_CHECK;
    const { message, ...failure } = fault;
    abort.abort();
    return settle(name, { state: 'failed', message, services: [fault.service!], failure });
  };
  const verdictOf = (r: Runner, fault: Fault): CheckResult => {
    failOwner(fault);
    const own = results.get(r.spec.name)!;
    return own.state === 'pending'
      ? settle(r.spec.name, { state: 'skipped', message: `stopped: the gate already failed (${fault.message})` })
      : own;
  };

  // An attempt that throws (a listing, an exec) may mean the engine is gone: ask it once more. If it does not
  // answer, the gate stops at once with the engine's error (exit 4) instead of retrying until its deadline.
  let engineLost: Error | undefined;
  const thrown = async (err: Error): Promise<Attempt> => {
    if (!engineLost) {
      const lost = isEngineLoss(err)
        ? err
        : await Promise.resolve()
            .then(() => deps.engine.ping())
            .then(
              () => undefined,
              (e: Error) => (isEngineLoss(e) ? e : undefined),
            );
      if (lost && !engineLost) {
        engineLost = lost;
        abort.abort();
      }
    }
    return { ok: false, message: err.message };
  };

  const run = async (r: Runner): Promise<CheckResult> => {
    for (const dep of r.spec.dependsOn) {
      const d = await settled.get(dep);
      if (results.get(r.spec.name)!.state === 'failed') return results.get(r.spec.name)!;
      if (!d || d.state !== 'passed') {
        return settle(r.spec.name, { state: 'skipped', message: `skipped: "${dep}" did not pass` });
      }
    }
    const res = results.get(r.spec.name)!;
    res.startedAt = clock.now() - t0;
    let last: Attempt | undefined;
    while (!abort.signal.aborted) {
      const remaining = deadline - clock.now();
      if (remaining <= 0 || (last && remaining < MIN_ATTEMPT_MS)) break;
      res.attempts++;
      last = await r.attempt(remaining).catch(thrown);
      if (results.get(r.spec.name)!.state === 'failed') return results.get(r.spec.name)!;
      if (!last.ok && last.fault) return verdictOf(r, last.fault);
      if (last.ok) {
        const passed = settle(r.spec.name, { state: 'passed', message: last.message, details: last.details });
        return r.spec.watch ? watch(r, passed) : passed;
      }
      if (last.final || (!r.spec.retry && !last.notReady)) {
        abort.abort();
        const services = last.services ?? r.spec.services;
        return settle(r.spec.name, {
          state: 'failed',
          message: last.message,
          details: last.details,
          services,
          failure: {
            ...(services[0] ? { service: services[0] } : {}),
            reason: 'check-failed',
            ...(last.exitCode !== undefined ? { exitCode: last.exitCode } : {}),
          },
        });
      }
      await clock.sleep(Math.min(r.intervalMs, Math.max(0, deadline - clock.now())), abort.signal).catch(() => undefined);
    }
    if (results.get(r.spec.name)!.state === 'failed') return results.get(r.spec.name)!;
    if (abort.signal.aborted && clock.now() < deadline) {
      return settle(r.spec.name, {
        state: 'skipped',
        message: `stopped: the gate already failed${last ? ` (last attempt: ${last.message})` : ''}`,
      });
    }
    abort.abort();
    const secs = Math.round(timeoutMs / 1000);
    const services = (last && !last.ok && last.services) || r.spec.services;
    return settle(r.spec.name, {
      state: 'failed',
      message: `timed out after ${secs}s${last ? `: ${last.message}` : ''}`,
      details: last?.details,
      services,
      failure: {
        ...(services[0] ? { service: services[0] } : {}),
        reason: 'timed-out',
        ...(last && !last.ok && last.exitCode !== undefined ? { exitCode: last.exitCode } : {}),
        hint: `"${r.spec.label}" never passed in ${secs}s: the last attempt said why${services[0] ? `; see ${services[0]}'s log tail` : ''}. A slow machine or a first build may need \`--timeout\`.`,
      },
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
      const a = await Promise.race([r.attempt(deadline - clock.now()).catch(thrown), finished]);
      if (a && !a.ok && a.fault) return verdictOf(r, a.fault);
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
  if (engineLost) throw engineLost;
  const passed = checks.every((c) => c.state === 'passed');
  const failedServices = [...new Set(checks.filter((c) => c.state === 'failed').flatMap((c) => c.services))];
  const logTails = passed ? {} : await tailLogs(deps.engine, await containers().catch(() => []), failedServices);
  for (const c of checks)
    if (c.state === 'failed' && c.failure?.service && logTails[c.failure.service]) c.failure.logTail = logTails[c.failure.service];
  const report: GateReport = {
    instance: input.instanceId,
    passed,
    startedAt: new Date(t0).toISOString(),
    elapsedMs: clock.now() - t0,
    timeoutMs,
    checks,
    logTails,
    readiness: ctr.readiness(),
  };
  const hints = diagnose(report);
  if (hints.length) report.hints = hints;
  // a recognised signature is the better hint for the check it is about
  for (const c of checks) {
    if (c.state !== 'failed' || !c.failure) continue;
    const own = diagnose({
      ...report,
      checks: [c],
      logTails: c.failure.service ? { [c.failure.service]: logTails[c.failure.service] ?? [] } : {},
    });
    if (own[0]) c.failure.hint = own[0];
    else if (c.failure.service)
      c.failure.hint ??= faultHint({ service: c.failure.service, reason: c.failure.reason, exitCode: c.failure.exitCode });
  }
  return report;
}

/** Known failure signatures → the fix to suggest. */
export function diagnose(r: GateReport): string[] {
  if (r.passed) return [];
  const text = [...r.checks.flatMap((c) => [c.message, ...(c.details ?? [])]), ...Object.values(r.logTails).flat()].join('\n');
  const hints: string[] = [];
  if (/password authentication failed/i.test(text)) {
    hints.push(
      "The database rejects this instance's password: its volume was initialised with another one (a reused volume keeps its first password). " +
        "Reset it with `ktrdr-sandbox down -v` then `ktrdr-sandbox up` (this deletes the instance's database data).",
    );
  }
  if (/relation .* does not exist/i.test(text)) {
    hints.push('A table is missing: migrations did not run or failed. Check the "migrations" check output above.');
  }
  return hints;
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

/** The engine itself is unreachable (not a check failing on a live engine). */
function isEngineLoss(err: unknown): err is Error {
  return (err as { code?: string } | null)?.code === 'ENGINE_UNAVAILABLE';
}
