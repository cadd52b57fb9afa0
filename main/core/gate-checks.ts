// The manifest's own gate checks: `exec` (a command in a service's running container) and `http` (a GET).
import type { GateCheckSpec } from './manifest-schema';
import { expandTemplate } from './ports';
import { probeSpec, tcpRunner } from './gate-tcp';
import { lastLine, type Attempt, type Containers, type Runner } from './gate-runner';
import type { GateInput } from './gate-runner';

const DEFAULT_ATTEMPT_TIMEOUT_MS = 3_000;

/** An exec into a container that stopped meanwhile: not a verdict on the check (the fault watch reports the stop). */
const NOT_RUNNING = /is not running|is restarting|is paused|no such container|\(HTTP code 409\)|\(HTTP code 404\)/i;

export function makeRunner(spec: GateCheckSpec, input: GateInput, containers: Containers, intervalMs: number): Runner {
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
        let res;
        try {
          res = await input.deps.engine.exec(
            c.id,
            command.map((a) => expandTemplate(a, input.vars)),
            {
              timeoutMs: Math.min(attemptTimeout, remaining),
            },
          );
        } catch (err) {
          const message = (err as Error).message;
          if (NOT_RUNNING.test(message)) return { ok: false, notReady: true, message: `service "${service}" stopped running` };
          throw err;
        }
        const out = res.output.trim();
        const lines = out ? out.split('\n').slice(-40) : [];
        if (res.exitCode === 0)
          return { ok: true, message: lastLine(out) || `${command[0]} succeeded`, details: retry ? undefined : lines };
        return {
          ok: false,
          message: `${command.join(' ')} exited ${res.exitCode}${out ? `: ${lastLine(out)}` : ''}`,
          details: lines,
          exitCode: res.exitCode,
        };
      },
    };
  }
  if ('tcp' in spec) return tcpRunner(spec, input, intervalMs, attemptTimeout);
  const { url, status, minItems, itemsKey } = spec.http;
  const target = expandTemplate(url, input.vars);
  return {
    spec: probeSpec(spec),
    intervalMs,
    async attempt(remaining): Promise<Attempt> {
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
