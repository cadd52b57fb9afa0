// ports · prune · manifest-schema
import type { Command } from '../args/command';
import pc from '../colors';
import { applyPrune, describePlan, planPrune } from '../../core/use-cases/prune';
import { findPortCollisions, slotPorts, type SlotPort } from '../../core/ports';
import { readComposeModel } from '../../core/compose-model';
import { markPortUsage } from '../../core/reconcile';
import { loadManifest } from '../../core/manifest';
import { manifestJsonSchema } from '../../core/manifest-schema';
import { MAX_SLOT, MIN_SLOT } from '../../shared/types';
import { EXIT } from '../../core/errors';
import { table } from '../table';
import { addCommon, parseIntOption, runCommand, type Runtime } from '../runtime';
import { assertSlot } from '../../core/ports';
import { writeStdout } from '../stdio';

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
      const { manifest, source } = await loadManifest(root, { platform: rt.deps().env.platform }, rt.deps().files);
      if (o.slot !== undefined) assertSlot(o.slot);
      // Ports whose variable no compose file reads keep their column (bookmarks stay stable), marked unused.
      const model = await readComposeModel(root, manifest.compose.files, rt.deps().composeModels, rt.deps().files).catch(() => null);
      const mark = (ports: SlotPort[]) => (model ? markPortUsage(ports, model) : ports);
      const slots = o.slot !== undefined ? [o.slot as number] : Array.from({ length: MAX_SLOT - MIN_SLOT + 1 }, (_, i) => i + MIN_SLOT);
      const rows = slots.map((s) => ({ slot: s, ports: mark(slotPorts(manifest, s)) }));
      const collisions = o.check ? findPortCollisions(manifest) : [];
      out.result('ports', { source, slots: rows, ...(o.check ? { check: { ok: collisions.length === 0, collisions } } : {}) });
      const unused = mark(slotPorts(manifest, MIN_SLOT)).filter((p) => p.used === false);
      const names = manifest.ports.map((p) => (unused.some((u) => u.name === p.name) ? `${p.name}*` : p.name));
      out.line(
        table(
          ['SLOT', ...names.map((n) => n.toUpperCase())],
          rows.map((r) => [r.slot, ...r.ports.map((p) => p.port)]),
        ),
      );
      out.line(pc.dim(`port map: ${source === 'preset' ? 'built-in KTRDR preset' : source}`));
      if (unused.length)
        out.line(
          pc.dim(`* unused: no compose file reads ${unused.map((p) => p.env).join(', ')} (kept in the table so the other ports stay put)`),
        );
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
      .description('reclaim registry entries whose directory is gone and what is left of them in Docker (only objects labelled as ours)')
      .option('--orphans', "also remove unregistered projects labelled as this registry's")
      .option('--volumes', 'remove their named volumes too')
      .option('-y, --yes', 'do it without asking (with --json: without it, a dry run)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const deps = rt.deps();
      const opts = { orphans: !!o.orphans, volumes: !!o.volumes };
      const plan = await planPrune(deps, opts, out.event);
      const lines = describePlan(plan);
      const leftAlone = () => {
        for (const x of plan.orphans)
          out.line(pc.yellow(`Unregistered project "${x.project}" of this registry left alone (use --orphans to remove it).`));
      };
      if (!lines.length) {
        out.result('prune', { ...plan, dryRun: false });
        out.line('Nothing to prune.');
        leftAlone();
        return EXIT.ok;
      }
      let go = !!o.yes;
      if (!go && !o.json && process.stdin.isTTY && process.stdout.isTTY) {
        out.line('prune would remove:');
        for (const l of lines) out.line(`  ${l}`);
        go = await askYes('Remove these? [y/N] ');
      }
      if (!go) {
        out.result('prune', plan);
        if (o.json || !process.stdin.isTTY) {
          out.line('prune would remove (dry run, nothing removed):');
          for (const l of lines) out.line(`  ${l}`);
          out.line(pc.dim('Run again with --yes to remove them.'));
        } else out.line('Nothing removed.');
        leftAlone();
        return EXIT.ok;
      }
      const r = await applyPrune(deps, plan, opts, out.event);
      out.result('prune', r);
      leftAlone();
      return EXIT.ok;
    }),
  );

  program
    .command('manifest-schema')
    .description('print the JSON Schema of ktrdr-sandbox.yml')
    .action(() => {
      writeStdout(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
    });
}

/** A yes/no question on the terminal (default no). */
async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
