// list · status · ports · prune · manifest-schema
import type { Command } from 'commander';
import pc from 'picocolors';
import { listInstances } from '../../core/use-cases/list';
import { statusOf } from '../../core/use-cases/status';
import { prune } from '../../core/use-cases/prune';
import { findPortCollisions, slotPorts } from '../../core/ports';
import { loadManifest } from '../../core/manifest';
import { manifestJsonSchema } from '../../core/manifest-schema';
import { relativeTime } from '../../core/views';
import { MAX_SLOT, MIN_SLOT } from '../../core/types';
import { EXIT } from '../../core/errors';
import { statusColour, table } from '../render';
import { addCommon, parseIntOption, refFrom, runCommand, type Runtime } from '../runtime';
import { assertSlot } from '../../core/ports';

export function registerInspect(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('list')
      .alias('ls')
      .description('all instances with their status from Docker (one engine call)')
      .option('--no-prune', 'do not drop registry entries whose directory is gone'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const deps = rt.deps();
      const r = await listInstances(deps, { prune: o.prune });
      out.result('list', r);
      const now = deps.clock.now();
      if (!r.instances.length) out.line('No instances. Create one with `ktrdr-sandbox create NAME` or register a checkout with `ktrdr-sandbox init`.');
      else {
        out.line(
          table(
            ['INSTANCE', 'SLOT', 'STATUS', 'API PORT', 'CREATED'],
            r.instances.map((i) => [
              i.id,
              i.slot,
              statusColour(i.status === 'partial' ? `partial ${i.containers.running}/${i.containers.total}` : i.status === 'missing' ? 'missing dir' : i.status),
              i.ports.find((p) => p.name === 'api')?.port ?? i.ports[0]?.port ?? '',
              relativeTime(i.createdAt, now),
            ]),
          ),
        );
      }
      for (const p of r.pruned) out.line(pc.yellow(`Pruned stale entry "${p.id}" (slot ${p.slot}): ${p.path} is gone and nothing of it runs.`));
      for (const s of r.stale) out.line(pc.yellow(`"${s}": its directory is gone but containers remain — run \`ktrdr-sandbox prune\` to remove them.`));
      for (const o2 of r.orphans) {
        out.line(pc.yellow(`Unregistered compose project "${o2.project}" (${o2.running}/${o2.containers} running${o2.workingDir ? `, ${o2.workingDir}` : ''}) looks like a sandbox: \`ktrdr-sandbox init\` there, or \`ktrdr-sandbox prune --orphans\`.`));
      }
    }),
  );

  addCommon(program.command('status [id]').description('containers, health, endpoints and URLs of one instance')).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const s = await statusOf(rt.deps(), refFrom(rt, id));
      out.result('status', s);
      const v = s.instance;
      out.line(`Instance: ${pc.bold(v.id)} (slot ${v.slot})`);
      out.line(`Path:     ${v.path}${v.branch ? pc.dim(`  [${v.branch}]`) : ''}`);
      out.line(`Status:   ${statusColour(v.status)}`);
      out.line(`Containers: ${v.containers.healthy}/${v.containers.total} healthy`);
      if (s.services.length) {
        out.line(table(['SERVICE', 'STATE', 'HEALTH', 'PORTS'], s.services.map((x) => [x.service, x.state, x.health === 'none' ? '-' : x.health, x.ports.join(',')])));
      }
      for (const e of s.endpoints) out.line(`${e.ok ? pc.green('✓') : pc.red('✗')} ${e.label}: ${e.url} (${e.detail})`);
      if (s.lastGate) out.line(`Last gate: ${s.lastGate.passed ? pc.green('PASSED') : pc.red('FAILED')} ${pc.dim(relativeTime(s.lastGate.startedAt, Date.now()))}`);
      out.line('URLs:');
      for (const l of v.links) out.line(`  ${`${l.label}:`.padEnd(12)}${l.url}`);
    }),
  );

  addCommon(
    program
      .command('ports')
      .description('the port table of every slot (or one), and a check that no two ports collide')
      .option('-s, --slot <n>', 'only this slot', parseIntOption('--slot'))
      .option('--check', 'prove every port of every slot 0-10 is distinct (exit 1 if not)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const { manifest, source } = await loadManifest((await rt.deps().git.topLevel(rt.cwd)) ?? rt.cwd);
      if (o.slot !== undefined) assertSlot(o.slot);
      const slots = o.slot !== undefined ? [o.slot as number] : Array.from({ length: MAX_SLOT - MIN_SLOT + 1 }, (_, i) => i + MIN_SLOT);
      const rows = slots.map((s) => ({ slot: s, ports: slotPorts(manifest, s) }));
      const collisions = o.check ? findPortCollisions(manifest) : [];
      out.result('ports', { source, slots: rows, ...(o.check ? { check: { ok: collisions.length === 0, collisions } } : {}) });
      const names = manifest.ports.map((p) => p.name);
      out.line(table(['SLOT', ...names.map((n) => n.toUpperCase())], rows.map((r) => [r.slot, ...r.ports.map((p) => p.port)])));
      out.line(pc.dim(`port map: ${source === 'preset' ? 'built-in KTRDR preset' : source}`));
      if (o.check) {
        const total = (MAX_SLOT - MIN_SLOT + 1) * manifest.ports.length;
        if (collisions.length) {
          for (const c of collisions) out.line(pc.red(`✗ port ${c.port}: slot ${c.a.slot} ${c.a.name} and slot ${c.b.slot} ${c.b.name}`));
          return EXIT.error;
        }
        out.line(pc.green(`✓ ${total} ports over ${MAX_SLOT - MIN_SLOT + 1} slots, all distinct`));
      }
      return EXIT.ok;
    }),
  );

  addCommon(
    program
      .command('prune')
      .description('reclaim registry entries whose directory is gone (and remove their containers and volumes)')
      .option('--orphans', 'also remove unregistered compose projects that look like sandboxes'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const r = await prune(rt.deps(), { orphans: o.orphans }, out.event);
      out.result('prune', r);
      if (!r.pruned.length && !r.removedProjects.length) out.line('Nothing to prune.');
      for (const x of r.orphans) out.line(pc.yellow(`Unregistered project "${x.project}" left alone (use --orphans to remove it).`));
    }),
  );

  program
    .command('manifest-schema')
    .description('print the JSON Schema of ktrdr-sandbox.yml')
    .action(() => {
      process.stdout.write(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
    });
}
