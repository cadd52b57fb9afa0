// shared init|pack|status: the shared data folders (~/.ktrdr/shared/{data,strategies,models}) every instance mounts.
import type { Command } from '../args/command';
import pc from '../colors';
import { formatBytes, sharedInit, sharedPack, sharedStatus, type SharedStatus } from '../../core/use-cases/shared-data';
import type { Output } from '../render';
import { table } from '../table';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';
import { exclusive } from '../../core/use-cases/exclusive';
import { resetOverlay } from '../../core/use-cases/shared-overlay';
import { parseOverlayArgs, setSharedOverlay } from '../../core/use-cases/shared-overlay-choice';

function printStatus(out: Output, s: SharedStatus): void {
  out.line(`Shared data: ${s.root}`);
  out.line(
    table(
      ['FOLDER', 'FILES', 'SIZE', 'PATH'],
      s.folders.map((f) => [f.folder, f.exists ? f.files : pc.dim('missing'), f.exists ? formatBytes(f.bytes) : '', f.path]),
    ),
  );
  out.line(pc.dim(`total: ${s.files} files, ${formatBytes(s.bytes)}`));
}

export function registerShared(program: Command, rt: Runtime): void {
  const shared = program.command('shared').description('the shared data folders every instance mounts (data, strategies, models)');

  addCommon(
    shared
      .command('init')
      .description('create the shared folders, or fill them from a directory or a package made by `shared pack`')
      .option('--from <dir|tarball>', 'directory laid out like ~/.ktrdr/shared, or a .tar.gz from `shared pack`')
      .option('--minimal', 'only create the empty folders')
      .option('-f, --force', 'overwrite existing files that differ (files only in the shared folder are never deleted)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const r = await sharedInit(rt.deps(), { from: o.from, minimal: o.minimal, force: o.force, cwd: rt.cwd }, out.event);
      out.result('shared-init', r);
      if (r.source) {
        out.line(
          `Imported ${r.source}: ${r.added} file${r.added === 1 ? '' : 's'} added, ${r.overwritten.length} overwritten, ${r.unchanged} unchanged, ${r.kept} kept` +
            (r.skipped.length ? pc.dim(` (not in the source: ${r.skipped.join(', ')})`) : ''),
        );
      } else if (r.created.length) out.line(`Created ${r.created.join(', ')} in ${r.root}`);
      else out.line(`Shared folders already exist in ${r.root}`);
      printStatus(out, r.status);
    }),
  );

  addCommon(
    shared
      .command('pack')
      .description('write the shared folders into one .tar.gz (the package a new machine is set up from)')
      .option('-o, --out <file>', 'tarball to write (default: ./ktrdr-shared-<date>.tar.gz; never overwritten)'),
  ).action((o) =>
    runCommand(o, async (out) => {
      const r = await sharedPack(rt.deps(), { out: o.out, cwd: rt.cwd }, out.event);
      out.result('shared-pack', r);
      out.line(`Packed ${r.files} files into ${pc.bold(r.file)} (${formatBytes(r.bytes)})`);
      out.line(pc.dim(`sha256 ${r.sha256}`));
      out.line(`Set up another machine with: ktrdr-sandbox shared init --from ${r.file}`);
    }),
  );

  addCommon(shared.command('status').description('size and file count per shared folder')).action((o) =>
    runCommand(o, async (out) => {
      const s = await sharedStatus(rt.deps());
      out.result('shared-status', s);
      printStatus(out, s);
      if (s.folders.some((f) => !f.exists)) out.line(pc.yellow('Some folders are missing: `ktrdr-sandbox shared init` creates them.'));
    }),
  );

  addCommon(
    shared
      .command('reset [id]')
      .description(
        "drop an instance's writes to its overlaid shared folders (manifest shared.overlay): the services mounting them are stopped and started again",
      )
      .option('-i, --instance <id>', 'instance (same as the argument)')
      .option('--folder <name>', 'only this shared folder (repeatable; default: every overlaid one)', (v: string, prev: string[] = []) => [
        ...prev,
        v,
      ])
      .option('--no-wait', 'fail at once when another operation holds the instance'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const r = await exclusive(rt.deps(), refFrom(rt, id ?? o.instance), 'shared reset', { wait: o.wait }, out.event, (ref) =>
        resetOverlay(rt.deps(), ref, { folders: o.folder }, out.event),
      );
      out.result('shared-reset', r);
      for (const f of r.reset)
        out.line(
          `${pc.green('✓')} ${f.folder}: dropped ${f.files} file(s), ${formatBytes(f.bytes)} written by ${r.instance} (${f.lower} unchanged)`,
        );
      if (r.restarted.length) out.line(pc.dim(`restarted: ${r.restarted.join(', ')}`));
    }),
  );

  addCommon(
    shared
      .command('overlay [args...]')
      .usage('[ID] on [FOLDER…] | off')
      .description(
        "this instance's own choice: see the shared folders (all, or those named) through a writable overlay of its own, or read-write; from its next `up`",
      )
      .option('-i, --instance <id>', 'instance (same as the ID argument)')
      .option('--no-wait', 'fail at once when another operation holds the instance'),
  ).action((args: string[], o) =>
    runCommand(o, async (out) => {
      const { id, req } = parseOverlayArgs(args);
      const r = await exclusive(rt.deps(), refFrom(rt, id ?? o.instance), 'shared overlay', { wait: o.wait }, out.event, (ref) =>
        setSharedOverlay(rt.deps(), ref, req, out.event),
      );
      out.result('shared-overlay', r);
      out.line(
        r.choice
          ? `${pc.green('✓')} ${r.instance}: ${r.folders.join(', ')} through its own overlay (the shared folder never changes), from its next \`up\``
          : `${pc.green('✓')} ${r.instance}: the shared folders read-write (its writes change them for every instance), from its next \`up\``,
      );
      for (const k of r.kept)
        out.line(
          `  its writes to ${k.folder} stay in ${k.upper} (${k.files} file(s), ${formatBytes(k.bytes)}): \`ktrdr-sandbox shared reset ${r.instance}\` drops them`,
        );
      if (r.running) out.line(pc.yellow(`${r.instance} is running: restart with \`ktrdr-sandbox up ${r.instance}\` to apply it.`));
    }),
  );
}
