// list · status: the overview commands. Part of the light CLI bundle (main/cli/light.ts), so every import
// here must stay cheap to load.
import type { Command } from 'commander';
import pc from 'picocolors';
import { listAcrossEngines } from '../../core/use-cases/list-engines';
import { statusOf } from '../../core/use-cases/status';
import { relativeTime } from '../../core/views';
import { formatBytes } from '../../core/use-cases/shared-data';
import { syncSummary } from '../../shared/sync';
import { labelled, statusColour, table } from '../render';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

export function registerOverview(program: Command, rt: Runtime): void {
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
            `${i.id} runs on engine ${i.engineStatus!.name}${i.engineStatus!.reachable ? '' : ` — unreachable: ${i.engineStatus!.error ?? 'no answer'}`}`,
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

  addCommon(program.command('status [id]').description('containers, health, endpoints and URLs of one instance')).action(
    (id: string | undefined, o) =>
      runCommand(o, async (out) => {
        const ref = refFrom(rt, id);
        const s = await statusOf(rt.deps(), ref); // on its engine; a remote one's ssh connection in s.engine
        out.result('status', s);
        if (o.json) return;
        const v = s.instance;
        out.line(`Instance: ${pc.bold(v.id)} (slot ${v.slot})`);
        out.line(`Path:     ${v.path}${v.branch ? pc.dim(`  [${v.branch}]`) : ''}`);
        out.line(`Status:   ${statusColour(v.status)}`);
        if (s.engine)
          out.line(
            `Engine:   ${s.engine.name} (${s.engine.endpoint}) — ssh connection ${s.engine.tunnel === 'up' ? pc.green('up') : pc.red('down')}, ports ${s.engine.forwardedPorts.join(', ') || 'not'} forwarded`,
          );
        if (s.engine && s.sync !== undefined)
          out.line(
            `Sync:     ${s.sync ? syncSummary(s.sync, Date.now()).replace(/^sync:? ?/, '') : 'no watcher (`ktrdr-sandbox sync --watch`, or the next `up`, starts one)'}`,
          );
        out.line(`Containers: ${v.containers.healthy}/${v.containers.total} healthy`);
        if (s.services.length) {
          out.line(
            table(
              ['SERVICE', 'STATE', 'HEALTH', 'PORTS'],
              s.services.map((x) => [x.service, x.state, x.health === 'none' ? '-' : x.health, x.ports.join(',')]),
            ),
          );
        }
        for (const e of s.endpoints) out.line(`${e.ok ? pc.green('✓') : pc.red('✗')} ${e.label}: ${e.url} (${e.detail})`);
        for (const ov of s.sharedData ?? [])
          if (ov.mode === 'overlay')
            out.line(
              `Shared ${ov.folder}: overlay (${ov.services.map((x) => x.service).join(', ') || 'no service mounts it'}) — this instance wrote ${ov.files} file(s), ${formatBytes(ov.bytes)} in ${ov.upper} (\`shared reset\` drops them)`,
            );
          else if (ov.files || ov.source === 'instance')
            out.line(
              `Shared ${ov.folder}: read-write${ov.files ? ` — ${ov.files} file(s), ${formatBytes(ov.bytes)} kept from its overlay in ${ov.upper} (\`shared reset\` drops them)` : ''}`,
            );
        if (s.lastGate)
          out.line(
            `Last gate: ${s.lastGate.passed ? pc.green('PASSED') : pc.red('FAILED')} ${pc.dim(relativeTime(s.lastGate.startedAt, Date.now()))}`,
          );
        out.line('URLs:');
        for (const line of labelled(v.links.map((l) => [l.label, l.url]))) out.line(line);
      }),
  );
}
