// engines: the default engine and every docker context, probed concurrently (≤ 2 s each): endpoint, reachable,
// version, CPUs, memory total/free, running sandboxes. An unreachable engine is listed as such, never waited on.
import type { Command } from '../args/command';
import pc from '../colors';
import { engineTargetsFromSystem } from '../../adapters/docker-contexts';
import { createEngineProbe } from '../../adapters/engine-probe';
import { createStatsStore } from '../../adapters/stats-store';
import { ENGINE_PROBE_TIMEOUT_MS, formatBytes, probeEngines, type EngineRow } from '../../core/engines';
import { CAPACITY_RESERVE } from '../../core/capacity';
import { addStoppedFits } from '../../core/use-cases/engine-fit';
import { table } from '../table';
import { addCommon, runCommand, type Runtime } from '../runtime';

function memoryCell(r: EngineRow): string {
  if (!r.reachable) return '';
  const m = r.memory;
  // not every container measured in time: what is free is at most total − what was measured
  const free = m.free !== null ? formatBytes(m.free) : m.freeAtMost !== null ? `≤ ${formatBytes(m.freeAtMost)}` : '?';
  return `${free} free / ${formatBytes(m.total)}`;
}

function sandboxesCell(r: EngineRow): string {
  if (!r.reachable) return '';
  if (!r.sandboxes.length) return '0';
  return r.sandboxes
    .map(
      (s) =>
        `${s.id}${s.memoryUsed === null ? '' : ` ${formatBytes(s.memoryUsed)}`}${s.cpuPercent === null ? '' : ` ${s.cpuPercent}% CPU`}${s.registered ? '' : ' (other registry)'}`,
    )
    .join(', ');
}

/** Stopped instances recorded on the engine: what each needs, and whether it fits in what is free now. */
function fitCell(r: EngineRow): string {
  if (!r.reachable || !r.fit?.length) return '';
  return r.fit
    .map((f) => {
      const mark = f.fits === true ? pc.green('fits') : f.fits === false ? pc.red('does not fit') : pc.dim('fit unknown');
      return `${f.id} ${formatBytes(f.needBytes)} ${mark}`;
    })
    .join(', ');
}

export function registerEngines(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('engines')
      .description(
        `the default Docker engine and every docker context: reachable, version, CPUs, memory, sandboxes (each probed concurrently, ≤ ${ENGINE_PROBE_TIMEOUT_MS / 1000} s)`,
      ),
  ).action((o) =>
    runCommand(o, async (out) => {
      const deps = rt.deps();
      const [targets, registry] = [engineTargetsFromSystem(process.env), await deps.registry.read()];
      const ids = new Set(Object.keys(registry.instances));
      const probed = await probeEngines(targets, createEngineProbe(process.env, deps.home), deps.clock, ids, ENGINE_PROBE_TIMEOUT_MS, {
        cpu: true,
      });
      const report = await addStoppedFits(deps, probed, registry);
      // last-seen memory of our sandboxes: the first source of the capacity estimate before `up` (core/capacity.ts)
      const stats = createStatsStore(deps.home);
      const at = new Date(deps.clock.now()).toISOString();
      for (const e of report.engines) {
        for (const s of e.sandboxes) {
          if (s.registered && s.memoryUsed !== null)
            stats.write(s.id, { at, engine: e.name, memoryBytes: s.memoryUsed, containers: s.containers });
        }
      }
      out.result('engines', report);
      if (o.json) return;
      out.line(
        table(
          ['ENGINE', 'ENDPOINT', 'STATE', 'VERSION', 'CPUS', 'MEMORY', 'SANDBOXES', 'STOPPED: FIT'],
          report.engines.map((r) => [
            `${r.current ? '* ' : '  '}${r.name}`,
            r.endpoint || pc.dim('(none)'),
            r.reachable ? pc.green('reachable') : pc.red('unreachable'),
            r.version ?? '',
            r.cpus ?? '',
            memoryCell(r),
            sandboxesCell(r),
            fitCell(r),
          ]),
        ),
      );
      for (const r of report.engines.filter((x) => !x.reachable)) out.line(pc.dim(`  ${r.name}: ${r.error ?? 'unreachable'}`));
      const partial = report.engines.filter((x) => x.reachable && x.memory.free === null && x.memory.running > 0);
      for (const r of partial)
        out.line(
          pc.dim(
            `  ${r.name}: memory of ${r.memory.measured}/${r.memory.running} running containers measured in time: free is an upper bound`,
          ),
        );
      out.line(
        pc.dim(
          `* = the engine this tool uses now (DOCKER_HOST, DOCKER_CONTEXT or \`docker context use\`). Free = total − memory used by running containers. CPU: % of one core over ~1 s. Fit: the estimate \`up\` would use + ${formatBytes(CAPACITY_RESERVE)} reserve vs free.`,
        ),
      );
    }),
  );
}
