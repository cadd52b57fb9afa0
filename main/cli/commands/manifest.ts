// manifest init: write the zero-configuration manifest of a Compose repository as ktrdr-sandbox.yml.
import type { Command } from '../args/command';
import pc from '../colors';
import { manifestInit, type ManifestInitResult } from '../../core/use-cases/manifest-init';
import type { Output } from '../render';
import { addCommon, runCommand, type Runtime } from '../runtime';
import { writeStdout } from '../stdio';

export function printManifestInit(out: Output, r: ManifestInitResult): void {
  const m = r.derived.manifest;
  out.line(
    `${pc.green('✓')} ${r.written ? 'Wrote' : 'Derived'} ${r.path} from ${r.derived.found.files.join(' + ')}: ${m.ports.length} slot port(s), ${m.gate.checks.length} probe(s), ${m.links.length} link(s)`,
  );
  for (const n of r.derived.notes)
    out.line(pc.yellow(`  ! ${n.rewrite ? `${n.message}: write "${n.rewrite.to}" instead of "${n.rewrite.from}"` : n.message}`));
}

export function registerManifest(program: Command, rt: Runtime): void {
  const manifest = program.command('manifest').description('the project manifest (ktrdr-sandbox.yml)');
  addCommon(
    manifest
      .command('init')
      .description('write the manifest derived from the compose file (zero config) as ktrdr-sandbox.yml, commented, to refine')
      .option('-f, --force', 'replace an existing ktrdr-sandbox.yml')
      .option('--stdout', 'print it instead of writing it'),
  ).action((o: { force?: boolean; stdout?: boolean; json?: boolean; verbose?: boolean }) =>
    runCommand(o, async (out) => {
      const dir =
        (await rt
          .deps()
          .git.topLevel(rt.cwd)
          .catch(() => null)) ?? rt.cwd;
      const r = await manifestInit(rt.deps().files, dir, { force: o.force, dryRun: o.stdout, host: { platform: rt.deps().env.platform } });
      out.result('manifest-init', {
        path: r.path,
        written: r.written,
        manifest: r.derived.manifest,
        notes: r.derived.notes,
        composeFiles: r.derived.found.files,
      });
      if (o.stdout && !o.json) {
        writeStdout(r.text);
        return;
      }
      printManifestInit(out, r);
    }),
  );
}
