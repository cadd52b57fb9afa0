// doctor [ID] [--fix]: engine, compose, git, disk, and a multi-instance safety lint of the compose file(s).
import type { Command } from '../args/command';
import pc from '../colors';
import { defaultLogDir } from '../../adapters/surface-log';
import { EXIT } from '../../core/errors';
import { runDoctor, type DoctorCheck } from '../../core/use-cases/doctor';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

function line(c: DoctorCheck): string[] {
  const mark = c.level === 'ok' ? pc.green('✓') : c.level === 'warning' ? pc.yellow('!') : pc.red('✗');
  const out = [`  ${mark} ${pc.bold(c.name)}: ${c.message}`];
  if (c.fix && c.level !== 'ok') out.push(pc.dim(`      fix: ${c.fix}`));
  return out;
}

export function registerDoctor(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('doctor [id]')
      .description('check engine, compose, git and disk, and lint the compose file for running several instances side by side')
      .option('--fix', 'create missing external networks and volumes'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const r = await runDoctor(rt.deps(), refFrom(rt, id), { fix: o.fix }, out.event);
      // where the tray app and `dashboard` keep their rotating logs (main/adapters/surface-log.ts)
      const logDir = defaultLogDir();
      out.result('doctor', { ...r, logDir });
      const t = r.target;
      out.line(`Doctor: ${t.kind} ${pc.bold(t.id ?? t.path)}${t.id ? pc.dim(` (${t.path})`) : ''}`);
      for (const c of r.checks.filter((x) => x.level === 'ok')) for (const l of line(c)) out.line(l);
      const errors = r.checks.filter((x) => x.level === 'error');
      const warnings = r.checks.filter((x) => x.level === 'warning');
      if (errors.length) {
        out.line('');
        out.line(pc.red(pc.bold(`Errors (${errors.length}):`)));
        for (const c of errors) for (const l of line(c)) out.line(l);
      }
      if (warnings.length) {
        out.line('');
        out.line(pc.yellow(pc.bold(`Warnings (${warnings.length}):`)));
        for (const c of warnings) for (const l of line(c)) out.line(l);
      }
      out.line('');
      const fixed = r.checks.filter((c) => c.fixed).length;
      out.line(pc.dim(`Logs of the tray app and the dashboard: ${logDir}`));
      if (fixed) out.line(pc.green(`Fixed ${fixed} problem${fixed === 1 ? '' : 's'}.`));
      if (!errors.length && !warnings.length) out.line(pc.green('No problems found.'));
      else
        out.line(
          `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${errors.length ? ' — fix the errors before `up`.' : '.'}`,
        );
      // the engine not answering is exit 4, as for every other command (the report is still complete)
      return errors.some((c) => c.name === 'engine') ? EXIT.engine : errors.length ? EXIT.error : EXIT.ok;
    }),
  );
}
