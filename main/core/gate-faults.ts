// One failure model for the gate: a service whose container exited, restarts in a loop, or never started is
// a FAULT, known from one container listing (plus an inspect for the restart count and OOM flag). The gate
// hands each fault to the check that owns the service, so the same crash is always reported the same way:
// with its exit code, its log tail and a hint — never as a 409 of an exec into it, and never only at the deadline.
import type { Clock, Engine } from './deps';
import type { ContainerInfo, GateFailure } from '../shared/types';

/** A container not created/started this long after the gate began is reported as never started. */
export const NOT_STARTED_GRACE_MS = 5_000;
/** Docker restarting a container this many times (restart policy) is a restart loop. */
export const RESTART_LOOP = 3;
/** Without inspect (no restart count): restarting for this long is a loop. */
const RESTARTING_FOR_MS = 10_000;

export interface Fault extends GateFailure {
  message: string;
}

/** The exit code in an engine status like "Exited (137) 3 seconds ago" / "Restarting (1) 2 seconds ago". */
export function exitCodeOf(status: string): number | undefined {
  const m = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

export function faultHint(f: Pick<GateFailure, 'service' | 'reason' | 'exitCode'>, oomKilled = false): string {
  const s = f.service;
  const logs = `\`ktrdr-sandbox logs ${s}\``;
  switch (f.reason) {
    case 'not-started':
      return `${s} was never started: run \`ktrdr-sandbox up\`; if it was, \`docker-compose\` could not start it (a port, mount or image problem): see ${logs} and the compose output with --verbose.`;
    case 'restarting':
      return `${s} crashes at start and Docker keeps restarting it: its last log lines say why. Fix it, then \`ktrdr-sandbox up\`.`;
    case 'unhealthy':
      return `${s} runs but its own healthcheck fails: run the healthcheck command by hand (\`ktrdr-sandbox exec -- docker exec …\`) and see ${logs}.`;
    case 'exited':
      break;
    default:
      return `See ${logs} for the whole log.`;
  }
  const code = f.exitCode;
  if (oomKilled || code === 137) {
    return oomKilled
      ? `${s} was killed for lack of memory (OOM): give Docker more memory or lower the service's usage.`
      : `${s} was killed (SIGKILL, exit 137): out of memory, or stopped by force (\`docker kill\`).`;
  }
  if (code === 143 || code === 130)
    return `${s} was stopped by a signal (exit ${code}): someone stopped it (\`docker stop\`, \`ktrdr-sandbox down\`); \`ktrdr-sandbox up\` starts it again.`;
  if (code === 126 || code === 127)
    return `${s}'s command could not be run (exit ${code}: ${code === 127 ? 'not found' : 'not executable'}): check \`command\`/\`entrypoint\` in the compose file and the image.`;
  if (code === 0)
    return `${s} ended with exit code 0: it was stopped (\`docker stop\`, \`ktrdr-sandbox down\`) or its command finished. \`ktrdr-sandbox up\` starts it again; a one-shot job belongs in gate.containers.ignore.`;
  return `${s} crashed${code !== undefined ? ` with exit code ${code}` : ''}: its last log lines above say why. Fix it, then \`ktrdr-sandbox up\` (whole log: ${logs}).`;
}

/**
 * Watches the listed containers of the given services and turns what is final into a Fault. "Not started"
 * and "no container" get a grace (compose may still be creating it); an exit is final at once — with a
 * restart policy Docker shows "restarting", never "exited", so an exited container will not come back.
 */
export class FaultWatch {
  private firstMissing = new Map<string, number>();
  private firstRestarting = new Map<string, number>();

  constructor(private readonly deps: { engine: Engine; clock: Clock }) {}

  async observe(list: ContainerInfo[], services: string[]): Promise<Fault | null> {
    const now = this.deps.clock.now();
    for (const svc of services) {
      const cs = list.filter((c) => c.service === svc);
      const c = cs.find((x) => x.state === 'running') ?? cs.find((x) => x.state === 'restarting') ?? cs[0];
      if (c?.state === 'running' || c?.state === 'paused' || c?.state === 'removing') {
        this.firstMissing.delete(svc);
        this.firstRestarting.delete(svc);
        continue;
      }
      if (!c || c.state === 'created') {
        const since = this.firstMissing.get(svc) ?? now;
        this.firstMissing.set(svc, since);
        if (now - since < NOT_STARTED_GRACE_MS) continue;
        const message = c ? `${svc} was created but never started` : `${svc} has no container`;
        return { service: svc, reason: 'not-started', message, hint: faultHint({ service: svc, reason: 'not-started' }) };
      }
      if (c.state === 'restarting') {
        const since = this.firstRestarting.get(svc) ?? now;
        this.firstRestarting.set(svc, since);
        const exitCode = exitCodeOf(c.status);
        const details = await this.details(c.id);
        const restarts = details?.restartCount;
        const looping = restarts !== undefined ? restarts >= RESTART_LOOP : now - since >= RESTARTING_FOR_MS;
        if (!looping) continue;
        const code = details?.exitCode ?? exitCode;
        return {
          service: svc,
          reason: 'restarting',
          exitCode: code ?? undefined,
          message: `${svc} restarts in a loop${restarts !== undefined ? ` (${restarts} restarts)` : ''}${code !== undefined && code !== null ? `, last exit code ${code}` : ''}`,
          hint: faultHint({ service: svc, reason: 'restarting' }),
        };
      }
      // exited | dead
      const details = await this.details(c.id);
      const code = details?.exitCode ?? exitCodeOf(c.status);
      const exitCode = code === null ? undefined : code;
      return {
        service: svc,
        reason: 'exited',
        exitCode,
        message: `${svc} exited${exitCode !== undefined ? ` with code ${exitCode}` : ''}${details?.oomKilled ? ' (out of memory)' : ''} (${c.status || c.state})`,
        hint: faultHint({ service: svc, reason: 'exited', exitCode }, details?.oomKilled),
      };
    }
    return null;
  }

  private async details(id: string) {
    return this.deps.engine.inspect(id).catch(() => undefined);
  }
}
