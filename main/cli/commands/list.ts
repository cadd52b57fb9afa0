// list: every instance with its status from Docker. A module of its own (not with `status`): a command loads
// only its own use-case's code (README, Performance), so every import here must stay cheap to load.
import type { Command } from '../args/command';
import pc from '../colors';
import { listAcrossEngines } from '../../core/use-cases/list-engines';
import { relativeTime } from '../../shared/format';
import { syncSummary } from '../../shared/sync';
import { statusColour } from '../render';
import { table } from '../table';
import { addCommon, runCommand, type Runtime } from '../runtime';

export function registerList(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('list')
      .alias('ls')
      .description('all instances with their status from Docker (one call per engine, all at once, ≤ 2 s each)')
      .option('--no-prune', 'do not drop registry entries whose directory is gone'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const deps = rt.deps();
      const r = await listAcrossEngines(deps, { prune: o.prune, emit: out.event }); // one listing per engine, ≤ 2 s each
      out.result('list', r);
      if (o.json) return; // the human rendering below would only be thrown away
      const now = deps.clock.now();
      if (!r.instances.length)
        out.line('No instances. Create one with `ktrdr-sandbox create NAME` or register a checkout with `ktrdr-sandbox init`.');
      else {
        out.line(
          table(
            ['INSTANCE', 'SLOT', 'STATUS', 'API PORT', 'CREATED'],
            r.instances.map((i) => [
              i.id,
              i.slot,
              i.engineStatus?.reachable === false
                ? pc.red('engine unreachable')
                : statusColour(
                    i.status === 'partial'
                      ? `partial ${i.containers.running}/${i.containers.total}`
                      : i.status === 'missing'
                        ? 'missing dir'
                        : i.status,
                  ),
              i.ports.find((p) => p.name === 'api')?.port ?? i.ports[0]?.port ?? '',
              relativeTime(i.createdAt, now),
            ]),
          ),
        );
      }
      const remote = r.instances.filter((i) => i.engineStatus);
      for (const i of remote)
        out.line(
          pc.dim(
            `${i.id} runs on engine ${i.engineStatus!.name}${i.engineStatus!.reachable ? '' : ` — unreachable: ${i.engineStatus!.error ?? 'no answer'}`}${i.sync ? ` · ${syncSummary(i.sync, now)}` : ''}`,
          ),
        );
      for (const p of r.pruned)
        out.line(pc.yellow(`Pruned stale entry "${p.id}" (slot ${p.slot}): ${p.path} is gone and nothing of it runs.`));
      for (const s of r.stale)
        out.line(pc.yellow(`"${s}": its directory is gone but containers remain — run \`ktrdr-sandbox prune\` to remove them.`));
      for (const o2 of r.orphans) {
        out.line(
          pc.yellow(
            `Unregistered project "${o2.project}" of this registry (${o2.running}/${o2.containers} running${o2.workingDir ? `, ${o2.workingDir}` : ''}): \`ktrdr-sandbox init\` there, or \`ktrdr-sandbox prune --orphans\`.`,
          ),
        );
      }
      for (const u of r.unlabelled ?? []) {
        out.line(
          pc.dim(
            `Compose project "${u.project}" looks like a sandbox but carries no ownership label (an earlier version?): not ours to remove.`,
          ),
        );
      }
    }),
  );
}
