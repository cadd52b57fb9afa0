// logs: demultiplexed container logs of an instance's services, merged by time; follow mode streams.
import type { Deps, LogLine } from '../deps';
import { SandboxError } from '../errors';
import { onInstanceEngine } from '../instance-context';
import type { InstanceRef } from '../resolve';
import type { ContainerInfo } from '../../shared/types';
import { byText } from '../order';

export interface ServiceLogLine {
  service: string;
  stream: LogLine['stream'];
  time: string | null;
  text: string;
}

/** "10m", "2h", "30s", "1d", an ISO date, or unix seconds → unix seconds. */
export function parseSince(input: string, now: number): number {
  const rel = /^(\d+)\s*(s|m|h|d)$/.exec(input.trim());
  if (rel) {
    const n = Number(rel[1]);
    const mult = { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return Math.floor(now / 1000) - n * mult;
  }
  if (/^\d+$/.test(input)) return Number(input);
  const t = Date.parse(input);
  if (Number.isNaN(t)) throw new SandboxError('USAGE', `Cannot read --since "${input}" (use 10m, 2h, 1d, an ISO date or unix seconds)`);
  return Math.floor(t / 1000);
}

/** Split the RFC3339Nano timestamp Docker prefixes when asked for timestamps. */
export function splitTimestamp(text: string): { time: string | null; text: string } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) (.*)$/s.exec(text);
  return m ? { time: m[1]!, text: m[2]! } : { time: null, text };
}

export async function serviceContainers(
  baseDeps: Deps,
  ref: InstanceRef,
  services: string[],
): Promise<{ id: string; containers: ContainerInfo[]; deps: Deps }> {
  const { rec, deps } = await onInstanceEngine(baseDeps, ref); // the instance's engine holds its containers
  const all = (await deps.engine.listContainers({ projects: [rec.id], all: true })).filter((c) => !c.oneOff);
  if (!all.length) throw new SandboxError('STATE', `Instance "${rec.id}" has no containers`, { hint: 'Start it with `ktrdr-sandbox up`.' });
  const known = [...new Set(all.map((c) => c.service))].sort();
  for (const s of services) {
    if (!known.includes(s)) throw new SandboxError('USAGE', `No service "${s}" in "${rec.id}"`, { hint: `Services: ${known.join(', ')}` });
  }
  const chosen = services.length ? all.filter((c) => services.includes(c.service)) : all;
  return { id: rec.id, containers: chosen.sort((a, b) => byText(a.service, b.service)), deps };
}

/** Every service of the instance (its containers, one-off `run` containers aside): for a stable prefix width. */
export async function instanceServices(baseDeps: Deps, ref: InstanceRef): Promise<string[]> {
  const { rec, deps } = await onInstanceEngine(baseDeps, ref);
  const all = (await deps.engine.listContainers({ projects: [rec.id], all: true })).filter((c) => !c.oneOff);
  return [...new Set(all.map((c) => c.service))].sort();
}

export async function readLogs(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: { services: string[]; tail?: number; since?: number },
): Promise<ServiceLogLine[]> {
  const { containers, deps } = await serviceContainers(baseDeps, ref, opts.services);
  const per = await Promise.all(
    containers.map(async (c) => {
      const lines = await deps.engine.logs(c.id, { tail: opts.tail ?? 100, since: opts.since, timestamps: true });
      return lines.map((l) => ({ service: c.service, stream: l.stream, ...splitTimestamp(l.text) }));
    }),
  );
  return per.flat().sort((a, b) => byText(a.time ?? '', b.time ?? ''));
}

export async function followLogs(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: { services: string[]; tail?: number; since?: number },
  onLine: (l: ServiceLogLine) => void,
): Promise<() => void> {
  const { containers, deps } = await serviceContainers(baseDeps, ref, opts.services);
  const stops = await Promise.all(
    containers.map((c) =>
      deps.engine.followLogs(c.id, { tail: opts.tail ?? 100, since: opts.since, timestamps: true }, (l) =>
        onLine({ service: c.service, stream: l.stream, ...splitTimestamp(l.text) }),
      ),
    ),
  );
  return () => stops.forEach((s) => s());
}
