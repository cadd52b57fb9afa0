// sync [ID] [--watch]: keep the copy of a remote instance's source current on its engine's host (issue 13).
// Once by default; --watch syncs after every change until Ctrl-C (taking over from the background watcher that
// `up` starts, which is this same command with the hidden --background, detached).
import { Option, type Command } from '../args/command';
import pc from '../colors';
import { SandboxError } from '../../core/errors';
import { syncNow, watchSync } from '../../core/use-cases/sync';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

export function registerSync(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('sync [id]')
      .description("copy a remote instance's source to its engine's host now (rsync over its ssh connection); --watch: after every change")
      .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
      .option('-w, --watch', 'keep syncing after every change (debounced ~200 ms) until Ctrl-C')
      .addOption(new Option('--background', 'the watcher `up` starts (detached; its state file was written by up)').hideHelp()),
  ).action((id: string | undefined, o) =>
    runCommand(o, async (out) => {
      const ref = refFrom(rt, id ?? (o.instance as string | undefined));
      if (!o.watch) {
        const r = await syncNow(rt.deps(), ref, out.event);
        out.result('sync', r);
        out.line(`Synced ${pc.bold(r.id)} to ${r.engine}: ${r.files} file(s) sent in ${r.ms} ms.`);
        return;
      }
      const stop = new AbortController();
      const end = () => stop.abort();
      // `on`, not `once` (see dashboard). SIGHUP: a foreground watch ends with its terminal; the background one
      // runs in its own session and never gets it
      process.on('SIGINT', end).on('SIGTERM', end).on('SIGHUP', end);
      const log = (line: string) => out.line(o.background ? `${new Date().toISOString()} ${line}` : line);
      if (!o.background) out.line(`Watching ${id ?? o.instance ?? rt.cwd}: every change is synced (Ctrl-C stops).`);
      const r = await watchSync(rt.deps(), ref, { background: !!o.background, signal: stop.signal }, (e) => {
        if (e.type === 'step' && (e.state === 'info' || e.state === 'warning')) log(e.label);
        else out.event(e);
      });
      out.result('sync-watch', r);
      if (r.reason !== null) {
        log(`watcher stopped: ${r.reason}`);
        if (!o.background)
          throw new SandboxError('STATE', `Sync stopped: ${r.reason}`, {
            hint: 'Start it again with `ktrdr-sandbox sync --watch` or `up`.',
          });
      } else log(`watcher stopped after ${r.syncs} sync(s).`);
    }),
  );
}
