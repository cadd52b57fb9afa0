// evidence [ID] [--out PATH]: a directory + .tar.gz proving what happened in an instance (secrets redacted).
import type { Command } from '../args/command';
import pc from '../colors';
import { collectEvidence } from '../../core/use-cases/evidence';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

export function registerEvidence(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('evidence [id]')
      .description(
        'collect gate report, status, compose config, container states, logs, git state and versions into one directory and a .tar.gz (secrets redacted)',
      )
      .option('-o, --out <path>', 'directory to write (default: <instance>/.sandbox-evidence/<timestamp>/)')
      .option(
        '--compose-config',
        'write the output of `compose config` (slower with Compose v1) instead of our interpolation of the same inputs',
      ),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const r = await collectEvidence(rt.deps(), refFrom(rt, id), { out: o.out, cwd: rt.cwd, composeConfig: o.composeConfig }, out.event);
      out.result('evidence', { evidence: r });
      const verdict = r.verdict === 'PASSED' ? pc.green('PASSED') : r.verdict === 'FAILED' ? pc.red('FAILED') : pc.yellow('NO GATE RUN');
      out.line(`Evidence for ${pc.bold(r.instance)} (slot ${r.slot}) in ${(r.elapsedMs / 1000).toFixed(1)}s`);
      out.line(`  Gate:       ${verdict}${r.failedChecks.length ? ` — failed: ${r.failedChecks.join(', ')}` : ''}`);
      out.line(
        `  Containers: ${r.containers.healthy}/${r.containers.total} healthy${r.containers.unhealthy.length ? pc.yellow(` — not healthy: ${r.containers.unhealthy.join(', ')}`) : ''}`,
      );
      out.line(`  Directory:  ${r.dir}/ (${r.files.length} files)`);
      out.line(`  Archive:    ${r.tarball}`);
      out.line(`  Read first: ${r.dir}/SUMMARY.md`);
      for (const p of r.problems) out.line(pc.yellow(`  ! could not collect ${p}`));
    }),
  );
}
