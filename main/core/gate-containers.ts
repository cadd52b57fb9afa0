// The gate's containers check: every gated service must be running and ready. "Ready" is decided by, in
// order: Docker's health `healthy` (source "docker"), the service's own healthcheck run by the gate through
// exec (source "probe": passes the moment the service would, not at Docker's next interval), or a running
// container without a healthcheck (source "running"). It also watches for faults (a container that exited,
// restarts in a loop or never started) of every service the gate cares about, while other checks run.
import type { Attempt, Containers, Runner } from './gate-runner';
import { FaultWatch, faultHint } from './gate-faults';
import { HealthProber } from './healthcheck';
import type { GateInput } from './gate-runner';
import type { ContainerInfo, ReadinessSource, ServiceReadiness } from '../shared/types';

export const CONTAINERS_CHECK = 'containers';
/** The containers check shares a listing only with callers of the same moment (a pending call, in practice). */
const FRESH_LISTING_MS = 20;
/** An attempt waits this long at most for healthcheck probes it started (a slow one finishes in the background). */
const PROBE_WAIT_MS = 2_000;

export interface ContainersRunner {
  runner: Runner;
  /** Per service, as last seen. */
  readiness(): Record<string, ServiceReadiness>;
}

export function containersRunner(
  input: GateInput,
  containers: Containers,
  intervalMs: number,
  t0: number,
  watched: string[],
): ContainersRunner {
  const { clock, engine } = input.deps;
  const cfg = input.manifest.gate.containers;
  const gated = (cfg.gate ?? input.publishing).filter((s) => !cfg.ignore.includes(s));
  const faults = new FaultWatch({ engine, clock });
  const prober = new HealthProber(
    { engine, clock },
    { healthchecks: input.healthchecks ?? {}, vars: input.vars, firstDelayMs: intervalMs },
  );
  const unhealthySince = new Map<string, number>();
  const readiness: Record<string, ServiceReadiness> = {};
  const pick = (list: ContainerInfo[], svc: string) => {
    const cs = list.filter((c) => c.service === svc);
    return cs.find((x) => x.state === 'running') ?? cs[0];
  };

  async function probeDue(list: ContainerInfo[], remaining: number): Promise<void> {
    const pokes: Promise<void>[] = [];
    for (const svc of gated) {
      const c = pick(list, svc);
      if (!c || c.state !== 'running' || (c.health !== 'starting' && c.health !== 'unhealthy')) continue;
      if (c.health === 'unhealthy') {
        if (!unhealthySince.has(c.id)) {
          unhealthySince.set(c.id, clock.now());
          prober.reset(c.id);
        }
      } else unhealthySince.delete(c.id);
      pokes.push(prober.poke(c, remaining));
    }
    if (!pokes.length) return;
    const stop = new AbortController();
    await Promise.race([Promise.all(pokes), clock.sleep(Math.min(PROBE_WAIT_MS, remaining), stop.signal).catch(() => undefined)]);
    stop.abort();
  }

  const runner: Runner = {
    spec: { name: CONTAINERS_CHECK, label: 'Containers healthy', dependsOn: [], retry: true, services: gated, watch: true },
    intervalMs,
    async attempt(remaining): Promise<Attempt> {
      const list = await containers(FRESH_LISTING_MS);
      const fault = await faults.observe(list, watched);
      if (fault) return { ok: false, final: true, message: fault.message, services: [fault.service!], fault };
      await probeDue(list, remaining);
      const now = clock.now();
      const problems: string[] = [];
      const details: string[] = [];
      let healthy = 0;
      for (const svc of input.services) {
        const c = pick(list, svc);
        const isGated = gated.includes(svc);
        const probe = c ? prober.state(c.id) : undefined;
        let source: ReadinessSource | undefined;
        if (c?.state === 'running') {
          if (c.health === 'healthy') source = 'docker';
          else if (c.health === 'none') source = 'running';
          else if (c.health === 'starting' && probe?.passed) source = 'probe';
        }
        const prev = readiness[svc];
        readiness[svc] = {
          ready: !!source,
          ...(source
            ? {
                source: prev?.ready && prev.source ? prev.source : source,
                atMs: prev?.ready && prev.atMs !== undefined ? prev.atMs : now - t0,
              }
            : {}),
          dockerHealth: c ? c.health : 'no container',
          ...(probe?.attempts ? { probeAttempts: probe.attempts } : {}),
          ...(probe?.lastFailure && !probe.passed ? { probeFailure: probe.lastFailure } : {}),
        };
        let desc = !c ? 'no container' : c.state !== 'running' ? `${c.state} (${c.status})` : c.health === 'none' ? 'running' : c.health;
        if (source === 'probe') desc = `ready (its healthcheck passed; Docker: ${c!.health})`;
        if (source) healthy++;
        details.push(`${source ? '✓' : isGated ? '✗' : '·'} ${svc}: ${desc}${isGated ? '' : ' (not gated)'}`);
        if (!isGated || source) continue;
        const why = probe?.lastFailure && !probe.passed ? ` (its healthcheck: ${probe.lastFailure})` : '';
        problems.push(`${svc} ${desc}${why}`);
        // Docker says unhealthy (retries × interval of failures) and our own run of its check, made since, fails too.
        const since = c ? unhealthySince.get(c.id) : undefined;
        if (
          c &&
          since !== undefined &&
          probe &&
          !probe.passed &&
          probe.lastAt !== undefined &&
          probe.lastAt >= since &&
          probe.lastFailure
        ) {
          const message = `${svc} is unhealthy: its healthcheck fails (${probe.lastFailure})`;
          return {
            ok: false,
            final: true,
            message,
            services: [svc],
            details,
            fault: { service: svc, reason: 'unhealthy', message, hint: faultHint({ service: svc, reason: 'unhealthy' }) },
          };
        }
      }
      const total = input.services.length;
      if (problems.length === 0) return { ok: true, message: `${healthy}/${total} healthy`, details };
      return {
        ok: false,
        message: `${healthy}/${total} healthy; ${problems.join(', ')}`,
        details,
        services: problems.map((p) => p.split(' ')[0]!),
      };
    },
  };
  return { runner, readiness: () => readiness };
}
