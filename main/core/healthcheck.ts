// Active readiness: a service's own healthcheck `test`, run by us through the engine's exec as soon as its
// container runs, and again at a short interval with backoff, so that the service counts as ready the moment
// its own check would pass — instead of when Docker next runs it (every `interval`: 10–30 s in KTRDR's file,
// and Docker 20.10 has no start_interval). Docker's reported health stays the fallback and the truth after
// the gate. Used by the gate's containers check and by the staged start (staged-up.ts).
import type { Clock, ContainerHealthcheck, Engine } from './deps';
import type { ComposeHealthcheck, ContainerInfo } from '../shared/types';

/** Docker's defaults when the file does not say (`docker run --health-*`). */
export const DOCKER_DEFAULT_TIMEOUT_MS = 30_000;
export const DOCKER_DEFAULT_INTERVAL_MS = 30_000;
export const DOCKER_DEFAULT_RETRIES = 3;
/** Probe back-off: first retry after the gate interval, ×1.5 per failure, never slower than this. */
export const PROBE_MAX_DELAY_MS = 2_000;
const PROBE_BACKOFF = 1.5;

/** The argv Docker runs for a healthcheck test, or null for none (["NONE"], empty). */
export function healthcheckArgv(test: string[] | string): string[] | null {
  if (typeof test === 'string') return test.trim() ? ['/bin/sh', '-c', test] : null;
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest.length ? rest : null;
  if (kind === 'CMD-SHELL') return rest.length ? ['/bin/sh', '-c', rest.join(' ')] : null;
  if (kind === 'NONE' || kind === undefined) return null;
  return test; // a bare list: Docker treats it as CMD
}

/**
 * Compose's interpolation of a value read from the file (the container's own config, when the engine can
 * be asked, needs none): `$$` → `$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `$VAR`.
 */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (m === '$$') return '$';
      const key = (name ?? bare)!;
      const v = Object.prototype.hasOwnProperty.call(vars, key) ? vars[key] : undefined;
      if (op === '-') return (colon ? !v : v === undefined) ? (arg ?? '') : v!;
      return v ?? '';
    },
  );
}

/** A healthcheck as the prober needs it: the argv and its timeout. */
export interface Probe {
  argv: string[];
  timeoutMs: number;
  intervalMs: number;
  retries: number;
  startPeriodMs: number;
}

export function probeFromCompose(hc: ComposeHealthcheck, vars: Record<string, string>): Probe | null {
  const test = typeof hc.test === 'string' ? interpolate(hc.test, vars) : hc.test.map((a) => interpolate(a, vars));
  const argv = healthcheckArgv(test);
  if (!argv) return null;
  return {
    argv,
    timeoutMs: hc.timeoutMs || DOCKER_DEFAULT_TIMEOUT_MS,
    intervalMs: hc.intervalMs || DOCKER_DEFAULT_INTERVAL_MS,
    retries: hc.retries ?? DOCKER_DEFAULT_RETRIES,
    startPeriodMs: hc.startPeriodMs ?? 0,
  };
}

export function probeFromContainer(hc: ContainerHealthcheck): Probe | null {
  const argv = healthcheckArgv(hc.test);
  if (!argv) return null;
  return {
    argv,
    timeoutMs: hc.timeoutMs || DOCKER_DEFAULT_TIMEOUT_MS,
    intervalMs: hc.intervalMs || DOCKER_DEFAULT_INTERVAL_MS,
    retries: hc.retries || DOCKER_DEFAULT_RETRIES,
    startPeriodMs: hc.startPeriodMs ?? 0,
  };
}

export interface ProbeState {
  /** the probe passed on this container (it stays passed: a container that dies is a new container or a fault) */
  passed: boolean;
  attempts: number;
  /** last failed attempt: "exited 1: <last output line>" or the exec error */
  lastFailure?: string;
  /** ms (clock) when the probe first passed */
  passedAt?: number;
  /** the container has no healthcheck we can run (none, or NONE) */
  none?: boolean;
  /** ms (clock) when the last attempt finished */
  lastAt?: number;
}

interface Entry extends ProbeState {
  probe?: Promise<Probe | null>;
  inFlight?: Promise<void>;
  nextAt: number;
  delayMs: number;
}

/**
 * Runs healthcheck probes per container, one at a time per container, with back-off. `poke` starts one when
 * due and resolves when it finished (or at once when not due); results are read with `state`.
 */
export class HealthProber {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly deps: { engine: Engine; clock: Clock },
    private readonly opts: { healthchecks: Record<string, ComposeHealthcheck>; vars: Record<string, string>; firstDelayMs: number },
  ) {}

  state(containerId: string): ProbeState | undefined {
    return this.entries.get(containerId);
  }

  /** Forget a pass (Docker has since said unhealthy): the next poke probes again, at once. */
  reset(containerId: string): void {
    const e = this.entries.get(containerId);
    if (!e || !e.passed) return;
    e.passed = false;
    e.passedAt = undefined;
    e.nextAt = this.deps.clock.now();
  }

  /** The healthcheck the container really has (inspect), else the one the compose file declares. */
  private probeOf(c: ContainerInfo): Promise<Probe | null> {
    const fromFile = () => {
      const hc = this.opts.healthchecks[c.service];
      return hc ? probeFromCompose(hc, this.opts.vars) : null;
    };
    return this.deps.engine.inspect(c.id).then(
      (d) => (d.healthcheck ? probeFromContainer(d.healthcheck) : d.health === 'none' ? null : fromFile()),
      () => fromFile(),
    );
  }

  /** Start a probe of this running container when one is due; resolves when it has finished. */
  poke(c: ContainerInfo, remainingMs: number): Promise<void> {
    const now = this.deps.clock.now();
    let e = this.entries.get(c.id);
    if (!e) {
      e = { passed: false, attempts: 0, nextAt: now, delayMs: this.opts.firstDelayMs };
      this.entries.set(c.id, e);
    }
    if (e.passed || e.none) return Promise.resolve();
    if (e.inFlight) return e.inFlight;
    if (now < e.nextAt || remainingMs <= 0) return Promise.resolve();
    const entry = e;
    entry.probe ??= this.probeOf(c);
    entry.inFlight = (async () => {
      const probe = await entry.probe!;
      if (!probe) {
        entry.none = true;
        return;
      }
      entry.attempts++;
      try {
        const res = await this.deps.engine.exec(c.id, probe.argv, { timeoutMs: Math.max(1, Math.min(probe.timeoutMs, remainingMs)) });
        entry.lastAt = this.deps.clock.now();
        if (res.exitCode === 0) {
          entry.passed = true;
          entry.passedAt = this.deps.clock.now();
          return;
        }
        const out = res.output.trim().split('\n').pop()?.slice(0, 200) ?? '';
        entry.lastFailure = `${probe.argv.join(' ')} exited ${res.exitCode}${out ? `: ${out}` : ''}`;
      } catch (err) {
        entry.lastAt = this.deps.clock.now();
        entry.lastFailure = `${probe.argv.join(' ')}: ${(err as Error).message}`;
      }
      entry.nextAt = this.deps.clock.now() + entry.delayMs;
      entry.delayMs = Math.min(PROBE_MAX_DELAY_MS, Math.round(entry.delayMs * PROBE_BACKOFF));
    })().finally(() => {
      entry.inFlight = undefined;
    });
    return entry.inFlight;
  }
}
