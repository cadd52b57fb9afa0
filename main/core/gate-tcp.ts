// The gate's tcp check: a published port accepts a connection that stays open (or answers). Kept apart from
// gate.ts; its runner has the shape of gate.ts's Runner.
import type { Tcp } from './deps';
import type { GateCheckSpec } from './manifest-schema';
import { expandTemplate } from './ports';

type TcpSpec = Extract<GateCheckSpec, { tcp: unknown }>;

/** How long an accepted connection must stay open to count (Docker's proxy closes it at once when nothing listens). */
export const TCP_HOLD_MS = 250;

/** The runner spec of a probe the gate retries until its deadline (http, tcp): its services are the one it names. */
export function probeSpec(spec: { name: string; label?: string; dependsOn: string[]; service?: string }) {
  return {
    name: spec.name,
    label: spec.label ?? spec.name,
    dependsOn: spec.dependsOn,
    retry: true,
    services: spec.service ? [spec.service] : [],
  };
}

export function tcpRunner(
  spec: TcpSpec,
  input: { vars: Record<string, string>; deps: { tcp: Tcp } },
  intervalMs: number,
  attemptTimeoutMs: number,
) {
  const host = expandTemplate(spec.tcp.host, input.vars);
  const portText = expandTemplate(String(spec.tcp.port), input.vars);
  const port = Number(portText);
  return {
    spec: probeSpec(spec),
    intervalMs,
    async attempt(remaining: number): Promise<{ ok: true; message: string } | { ok: false; message: string; final?: boolean }> {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return { ok: false, final: true, message: `tcp ${host}:${portText}: not a port` };
      const r = await input.deps.tcp.probe(host, port, Math.min(attemptTimeoutMs, remaining), TCP_HOLD_MS);
      return r.ok
        ? { ok: true, message: `tcp ${host}:${port}: ${r.message}` }
        : { ok: false, message: `tcp ${host}:${port}: ${r.message}` };
    },
  };
}
