// status: one instance in detail. A module of its own (not with `list`): a command loads only its own use-case's
// code (README, Performance), so every import here must stay cheap to load.
import type { Command } from '../args/command';
import pc from '../colors';
import { statusOf } from '../../core/use-cases/status';
import { healthLabel, provenReadyServices } from '../../core/views';
import { formatBytes, relativeTime } from '../../shared/format';
import { pendingChange } from '../../shared/shared-folder-lines';
import { syncSummary } from '../../shared/sync';
import { labelled, statusColour } from '../render';
import { table } from '../table';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

export function registerStatus(program: Command, rt: Runtime): void {
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
        // Services the last PASSED gate proved ready by running their own healthcheck count as healthy while Docker
        // still says `starting` (its first interval has not come yet): the table says both, so they do not read as
        // a contradiction.
        const proven = provenReadyServices(s.lastGate);
        const early = s.services.filter((x) => x.health === 'starting' && proven.has(x.service)).length;
        out.line(
          `Containers: ${v.containers.healthy}/${v.containers.total} healthy${early ? pc.dim(` (${early} ready by the gate's run of their healthcheck; Docker's first check is still to come)`) : ''}`,
        );
        if (s.services.length) {
          out.line(
            table(
              ['SERVICE', 'STATE', 'HEALTH', 'PORTS'],
              s.services.map((x) => [x.service, x.state, healthLabel(x.service, x.health, proven), x.ports.join(',')]),
            ),
          );
        }
        for (const e of s.endpoints) out.line(`${e.ok ? pc.green('✓') : pc.red('✗')} ${e.label}: ${e.url} (${e.detail})`);
        for (const ov of s.sharedData ?? []) {
          // a choice changed since its containers started: said, with what applies it
          const pending = pendingChange(ov);
          const later = pending ? pc.yellow(` — ${pending} (\`ktrdr-sandbox up ${v.id}\` applies it)`) : '';
          if (ov.mode === 'overlay')
            out.line(
              `Shared ${ov.folder}: overlay (${ov.services.map((x) => x.service).join(', ') || 'no service mounts it'}) — this instance wrote ${ov.files} file(s), ${formatBytes(ov.bytes)} in ${ov.upper} (\`shared reset\` drops them)${later}`,
            );
          else if (ov.files || ov.source === 'instance' || pending)
            out.line(
              `Shared ${ov.folder}: read-write${ov.files ? ` — ${ov.files} file(s), ${formatBytes(ov.bytes)} kept from its overlay in ${ov.upper} (\`shared reset\` drops them)` : ''}${later}`,
            );
        }
        if (s.lastGate)
          out.line(
            `Last gate: ${s.lastGate.passed ? pc.green('PASSED') : pc.red('FAILED')} ${pc.dim(relativeTime(s.lastGate.startedAt, Date.now()))}`,
          );
        out.line('URLs:');
        for (const line of labelled(v.links.map((l) => [l.label, l.url]))) out.line(line);
      }),
  );
}
