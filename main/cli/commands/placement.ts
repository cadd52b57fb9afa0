// move ID --engine CONTEXT: record the engine a stopped instance starts on next (registry v2, issue 13).
import type { Command } from '../args/command';
import pc from '../colors';
import { exclusive } from '../../core/use-cases/exclusive';
import { moveToEngine } from '../../core/use-cases/placement';
import { SandboxError } from '../../core/errors';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

export function registerPlacement(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('move [id]')
      .description('record another Docker engine for a stopped instance (its next `up` starts it there)')
      .option('--engine <context>', 'a docker context, or "default" (see `engines`)')
      .option('-f, --force', 'do not check the engine it is on now (e.g. that host is gone for good)')
      .option(
        '--path-map <LOCAL=REMOTE>',
        'the source is shared by NFS (LOCAL here is REMOTE there), not synced; repeatable',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--no-wait', 'fail at once (INSTANCE_BUSY) when another operation holds the instance'),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      if (!o.engine)
        throw new SandboxError('USAGE', 'move needs --engine CONTEXT', { hint: '`ktrdr-sandbox engines` lists the engines you can use.' });
      const r = await exclusive(rt.deps(), refFrom(rt, id), 'move', { wait: o.wait }, out.event, (ref) =>
        moveToEngine(rt.deps(), ref, o.engine as string, { force: o.force, ...(o.pathMap ? { pathMap: o.pathMap as string[] } : {}) }),
      );
      out.result('move', r);
      out.line(
        r.from === r.to
          ? `${r.id} already runs on engine ${pc.bold(r.to)}.`
          : `Moved ${pc.bold(r.id)}: engine ${r.from} → ${r.to} (${r.engine.endpoint ?? ''}). Its next \`up\` starts it there.`,
      );
    }),
  );
}
