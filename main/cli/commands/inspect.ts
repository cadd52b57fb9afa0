// ports · prune · manifest-schema
import type { Command } from 'commander';
import pc from 'picocolors';
import { prune } from '../../core/use-cases/prune';
import { findPortCollisions, slotPorts, type SlotPort } from '../../core/ports';
import { readComposeModel } from '../../core/compose-model';
import { markPortUsage } from '../../core/reconcile';
import { loadManifest } from '../../core/manifest';
import { manifestJsonSchema } from '../../core/manifest-schema';
import { MAX_SLOT, MIN_SLOT } from '../../core/types';
import { EXIT } from '../../core/errors';
import { table } from '../render';
import { addCommon, parseIntOption, runCommand, type Runtime } from '../runtime';
import { assertSlot } from '../../core/ports';

export function registerInspect(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('ports')
      .description('the port table of every slot (or one), and a check that no two ports collide')
      .option('-s, --slot <n>', 'only this slot', parseIntOption('--slot'))
      .option('--check', 'prove every port of every slot 0-10 is distinct (exit 1 if not)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const root = (await rt.deps().git.topLevel(rt.cwd)) ?? rt.cwd;
      const { manifest, source } = await loadManifest(root);
      if (o.slot !== undefined) assertSlot(o.slot);
      // Ports whose variable no compose file reads keep their column (bookmarks stay stable), marked unused.
      const model = await readComposeModel(root, manifest.compose.files, rt.deps().composeModels).catch(() => null);
      const mark = (ports: SlotPort[]) => (model ? markPortUsage(ports, model) : ports);
      const slots = o.slot !== undefined ? [o.slot as number] : Array.from({ length: MAX_SLOT - MIN_SLOT + 1 }, (_, i) => i + MIN_SLOT);
      const rows = slots.map((s) => ({ slot: s, ports: mark(slotPorts(manifest, s)) }));
      const collisions = o.check ? findPortCollisions(manifest) : [];
      out.result('ports', { source, slots: rows, ...(o.check ? { check: { ok: collisions.length === 0, collisions } } : {}) });
      const unused = mark(slotPorts(manifest, MIN_SLOT)).filter((p) => p.used === false);
      const names = manifest.ports.map((p) => (unused.some((u) => u.name === p.name) ? `${p.name}*` : p.name));
      out.line(table(['SLOT', ...names.map((n) => n.toUpperCase())], rows.map((r) => [r.slot, ...r.ports.map((p) => p.port)])));
      out.line(pc.dim(`port map: ${source === 'preset' ? 'built-in KTRDR preset' : source}`));
      if (unused.length) out.line(pc.dim(`* unused: no compose file reads ${unused.map((p) => p.env).join(', ')} (kept in the table so the other ports stay put)`));
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
