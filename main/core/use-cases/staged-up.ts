// Staged start: `compose up -d` blocks on `depends_on: {condition: service_healthy}` until DOCKER reports the
// dependency healthy, i.e. until its next healthcheck interval (10–30 s in KTRDR's file; Docker 20.10 has no
// start_interval). So instead of one `up -d`, we run one `up -d --no-deps <services>` per dependency level
// and decide between levels ourselves, with the dependency's own healthcheck run through exec (healthcheck.ts):
// compose never waits on Docker's clock. Docker's health is still accepted when it comes first.
// Measured with docker-compose 1.29: `up -d --no-deps` of a service whose service_healthy dependency is still
// "starting" returns at once; a plain `up -d` waits for the dependency's first interval.
import type { ComposeTarget, Deps } from '../deps';
import type { EventSink } from '../events';
import { FaultWatch } from '../gate-faults';
import { HealthProber } from '../healthcheck';
import type { ComposeModel, ContainerInfo } from '../../shared/types';

const POLL_MS = 250;
/** Set to 0 to start with one plain `compose up -d` (compose then waits on Docker's healthcheck clock). */
export const STAGED_UP_ENV = 'KTRDR_SANDBOX_STAGED_UP';

/**
 * The services a plain `up` starts, in levels: a service is one level after each dependency it must wait for
 * (service_healthy, service_completed_successfully), and on the same level as one it only needs started
 * (compose orders those itself within one call). One level, or none, means nothing to stage.
 */
export function startStages(model: ComposeModel, services: string[]): string[][] {
  const set = new Set(services);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (s: string): number => {
    const known = level.get(s);
    if (known !== undefined) return known;
    if (visiting.has(s)) return 0; // a cycle: compose refuses it anyway
    visiting.add(s);
    let l = 0;
    for (const [dep, cond] of Object.entries(model.services[s]?.dependsOn ?? {})) {
      if (!set.has(dep)) continue;
      l = Math.max(l, levelOf(dep) + (cond === 'service_started' ? 0 : 1));
    }
    visiting.delete(s);
    level.set(s, l);
    return l;
  };
  const stages: string[][] = [];
  for (const s of services) (stages[levelOf(s)] ??= []).push(s);
  return stages.filter((x) => x?.length);
}

/** What a later level waits for: dependency → condition (healthy wins over completed when both are asked). */
function awaitedAfter(
  model: ComposeModel,
  stage: string[],
  later: string[],
): Map<string, 'service_healthy' | 'service_completed_successfully'> {
  const out = new Map<string, 'service_healthy' | 'service_completed_successfully'>();
  for (const s of later) {
    for (const [dep, cond] of Object.entries(model.services[s]?.dependsOn ?? {})) {
      if (!stage.includes(dep) || cond === 'service_started') continue;
      if (out.get(dep) !== 'service_healthy') out.set(dep, cond);
    }
  }
  return out;
}

export interface StagedUpResult {
  stages: string[][];
  /** false: a dependency did not get ready (exited, or not in time): later levels were not started, the gate says why */
  complete: boolean;
}

/**
 * `compose up -d` in dependency levels, each next level started the moment its dependencies are ready.
 * A dependency that exits or is not ready by the deadline stops the staging: what runs stays up, and the
 * gate that follows reports the failing service (exit code, log tail) — the same as after a plain `up`.
 */
export async function composeUpStaged(
  deps: Deps,
  target: ComposeTarget,
  model: ComposeModel,
  opts: { services: string[]; build?: boolean; timeoutMs: number; vars: Record<string, string>; onOutput?: (line: string) => void },
  emit: EventSink,
  instance?: string,
): Promise<StagedUpResult> {
  const stages = startStages(model, opts.services);
  const deadline = deps.clock.now() + opts.timeoutMs;
  const healthchecks = Object.fromEntries(
    Object.values(model.services).flatMap((s) => (s.healthcheck ? [[s.name, s.healthcheck] as const] : [])),
  );
  const prober = new HealthProber(deps, { healthchecks, vars: opts.vars, firstDelayMs: POLL_MS });
  const faults = new FaultWatch(deps);
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!;
    await deps.compose.up(target, { build: opts.build, onOutput: opts.onOutput, services: stage, noDeps: true });
    const later = stages.slice(i + 1).flat();
    if (!later.length) break;
    const awaited = awaitedAfter(model, stage, later);
    const t0 = deps.clock.now();
    const pending = new Map(awaited);
    while (pending.size) {
      const list = (await deps.engine.listContainers({ projects: [target.project], all: true })).filter((c) => !c.oneOff);
      for (const [svc, cond] of [...pending]) {
        const c = pick(list, svc);
        if (cond === 'service_completed_successfully') {
          if (c?.state === 'exited' && /^Exited \(0\)/.test(c.status)) pending.delete(svc);
          continue;
        }
        if (c?.state === 'running' && (c.health === 'healthy' || c.health === 'none')) {
          pending.delete(svc);
          emit({
            type: 'step',
            instance,
            id: `ready-${svc}`,
            label: `${svc} ready (Docker: ${c.health === 'none' ? 'running, no healthcheck' : 'healthy'}) after ${secs(deps.clock.now() - t0)}`,
            state: 'info',
          });
        } else if (c?.state === 'running' && prober.state(c.id)?.passed) {
          pending.delete(svc);
          emit({
            type: 'step',
            instance,
            id: `ready-${svc}`,
            label: `${svc} ready (its healthcheck passed; Docker still says ${c.health}) after ${secs(deps.clock.now() - t0)}`,
            state: 'info',
          });
        }
      }
      if (!pending.size) break;
      const fault = await faults.observe(
        list,
        [...pending.keys()].filter((s) => pending.get(s) === 'service_healthy'),
      );
      const remaining = deadline - deps.clock.now();
      if (fault || remaining <= 0) {
        const why = fault ? fault.message : `not ready in ${secs(opts.timeoutMs)}`;
        emit({ type: 'step', instance, id: 'staged-stop', label: `not starting ${later.join(', ')}: ${why}`, state: 'warning' });
        return { stages, complete: false };
      }
      await Promise.all(
        [...pending.keys()]
          .map((svc) => pick(list, svc))
          .filter((c): c is ContainerInfo => c?.state === 'running' && c.health !== 'healthy')
          .map((c) => prober.poke(c, remaining)),
      );
      if (
        [...pending.keys()].some((svc) => {
          const c = pick(list, svc);
          return c && prober.state(c.id)?.passed;
        })
      )
        continue;
      await deps.clock.sleep(Math.min(POLL_MS, remaining));
    }
  }
  return { stages, complete: true };
}

function pick(list: ContainerInfo[], svc: string): ContainerInfo | undefined {
  const cs = list.filter((c) => c.service === svc);
  return cs.find((x) => x.state === 'running') ?? cs.find((x) => x.state === 'restarting') ?? cs[0];
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
