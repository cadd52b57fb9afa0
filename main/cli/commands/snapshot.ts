// snapshot save|list|rm|default and reset: volume snapshots of an instance, and putting an instance back to one.
// (create --snapshot and up --snapshot are options of those commands, in lifecycle.ts.)
import type { Command } from '../args/command';
import pc from '../colors';
import { EXIT, SandboxError } from '../../core/errors';
import { formatBytes } from '../../core/snapshot-plan';
import type { RestoreSummary, SnapshotSummary } from '../../shared/snapshot-types';
import { defaultSnapshot, listSnapshots, removeSnapshot } from '../../core/use-cases/snapshot-admin';
import { resetInstance } from '../../core/use-cases/snapshot-reset';
import { exclusive } from '../../core/use-cases/exclusive';
import { saveSnapshot } from '../../core/use-cases/snapshot-save';
import { gateVerdict, type Output } from '../render';
import { table } from '../table';
import { addCommon, parseIntOption, refFrom, runCommand, type Runtime } from '../runtime';

const collect = (v: string, prev: string[] = []): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function printRestore(out: Output, r: RestoreSummary): void {
  const vols = r.volumes.map((v) => `${v.key} (${formatBytes(v.bytes)})`).join(', ');
  out.line(
    `Restored ${vols} from snapshot ${pc.bold(r.snapshot)} in ${(r.elapsedMs / 1000).toFixed(1)}s${r.forced.length ? pc.yellow(' (forced)') : ''}`,
  );
}

function printSnapshot(out: Output, s: SnapshotSummary): void {
  out.line(
    `Snapshot ${pc.bold(s.name)} of ${s.source.instance} (${s.commit?.slice(0, 10) ?? 'no commit'}${s.migrationHead ? `, migrations ${s.migrationHead}` : ''})`,
  );
  for (const v of s.volumes)
    out.line(
      `  ${v.key}: ${formatBytes(v.bytes)} → ${formatBytes(v.stored)} on disk (services stopped for the copy: ${v.services.join(', ') || 'none'})`,
    );
  out.line(pc.dim(`  ${formatBytes(s.sizeOnDisk)} in all, ${(s.elapsedMs / 1000).toFixed(1)}s`));
}

export function registerSnapshot(program: Command, rt: Runtime): void {
  const snap = program.command('snapshot').description('volume snapshots of an instance (database and other named volumes)');

  addCommon(
    snap
      .command('save <name>')
      .description("copy the instance's volumes (default: manifest snapshot.volumes) into a snapshot, consistently")
      .option('-i, --instance <id>', 'instance (default: the one holding the current directory)')
      .option('--volumes <keys...>', 'compose volume keys to capture (comma or space separated)', collect)
      .option('-f, --force', 'replace an existing snapshot of that name')
      .option('-z, --compress', 'gzip the archives (smaller on disk, slower to save and restore)'),
  ).action((name: string, o) =>
    runCommand(o, async (out) => {
      // saving stops the services of the volumes: one operation per instance at a time
      const s = await exclusive(rt.deps(), refFrom(rt, o.instance), 'snapshot save', {}, out.event, (ref) =>
        saveSnapshot(rt.deps(), ref, { name, volumes: o.volumes, force: o.force, compress: o.compress }, out.event),
      );
      out.result('snapshot-save', { snapshot: s });
      printSnapshot(out, s);
    }),
  );

  addCommon(snap.command('list').alias('ls').description('every snapshot under the sandbox home, with sizes')).action((o) =>
    runCommand(o, async (out) => {
      const all = await listSnapshots(rt.deps());
      out.result('snapshot-list', { snapshots: all });
      if (!all.length) return out.line('No snapshots. Take one with `ktrdr-sandbox snapshot save NAME`.');
      out.line(
        table(
          ['SNAPSHOT', 'SOURCE', 'VOLUMES', 'SIZE', 'MIGRATION', 'CREATED'],
          all.map((s) => [
            `${s.name}${s.isDefault ? pc.green(' (default)') : ''}`,
            s.source.instance,
            s.volumes.map((v) => v.key).join(', '),
            formatBytes(s.sizeOnDisk),
            s.migrationHead ?? pc.dim('-'),
            s.createdAt.replace('T', ' ').slice(0, 19),
          ]),
        ),
      );
    }),
  );

  addCommon(snap.command('rm <names...>').description('delete snapshots (frees their disk space)')).action((names: string[], o) =>
    runCommand(o, async (out) => {
      const removed = [];
      for (const n of names) removed.push(await removeSnapshot(rt.deps(), n));
      out.result('snapshot-rm', { removed });
      for (const r of removed) out.line(`Removed snapshot ${pc.bold(r.name)} (${formatBytes(r.freedBytes)} freed)`);
    }),
  );

  addCommon(
    snap
      .command('default [name]')
      .description('show or set the default snapshot of this repository (plain `create` starts from it)')
      .option('--clear', 'no default snapshot any more'),
  ).action((name: string | undefined, o) =>
    runCommand(o, async (out) => {
      if (name && o.clear) throw new SandboxError('USAGE', 'Pass either a snapshot name or --clear, not both');
      const r = await defaultSnapshot(rt.deps(), rt.cwd, o.clear ? null : name);
      out.result('snapshot-default', r);
      out.line(r.snapshot ? `Default snapshot of ${r.repo}: ${pc.bold(r.snapshot)}` : `No default snapshot for ${r.repo}`);
    }),
  );

  addCommon(
    program
      .command('reset [id]')
      .description("put the instance's volumes back to a snapshot (default: the repository's), restart, run the gate")
      .option('-i, --instance <id>', 'instance (same as the argument)')
      .option('--snapshot <name>', 'snapshot to restore (default: `snapshot default`)')
      .option('-f, --force', 'restore even when the compose files or migration head differ')
      .option('-t, --timeout <seconds>', 'gate deadline in seconds', parseIntOption('--timeout')),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const resetOpts = { snapshot: o.snapshot, force: o.force, timeoutMs: o.timeout ? o.timeout * 1000 : undefined };
      const r = await exclusive(rt.deps(), refFrom(rt, id ?? o.instance), 'reset', {}, out.event, (ref) =>
        resetInstance(rt.deps(), ref, resetOpts, out.event),
      );
      out.result('reset', r);
      printRestore(out, r.restore);
      for (const l of gateVerdict(r.gate)) out.line(l);
      return r.gate.passed ? EXIT.ok : EXIT.gate;
    }),
  );
}
