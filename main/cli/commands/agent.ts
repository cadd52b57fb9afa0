// logs · run · slots · slot move · slot unblock
import type { Command } from '../args/command';
import pc from '../colors';
import { followLogs, instanceServices, parseSince, readLogs, type ServiceLogLine } from '../../core/use-cases/logs';
import { createTimeMerger, prefixWidth } from '../../core/log-merge';
import { runService } from '../../core/use-cases/run';
import { listSlots, moveSlot, unblockSlot } from '../../core/use-cases/slot-ops';
import { exclusive } from '../../core/use-cases/exclusive';
import { table } from '../table';
import { addCommon, parseIntOption, refFrom, runCommand, type Runtime } from '../runtime';
import { writeStdout } from '../stdio';

const COLOURS = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];

/** `service | text` lines: the prefix as wide as the instance's longest service name from the first line on, a colour per service. */
export function logPrinter(json: boolean, services: string[], write: (s: string) => void = (s) => writeStdout(s)) {
  const colourOf = new Map<string, (s: string) => string>(services.map((s, i) => [s, COLOURS[i % COLOURS.length]!]));
  const width = prefixWidth(services);
  return (l: ServiceLogLine) => {
    if (json) {
      write(`${JSON.stringify(l)}\n`);
      return;
    }
    if (!colourOf.has(l.service)) colourOf.set(l.service, COLOURS[colourOf.size % COLOURS.length]!);
    write(`${colourOf.get(l.service)!(`${l.service.padEnd(width)} |`)} ${l.text}\n`);
  };
}

export function registerAgent(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('logs [services...]')
      .description('service logs of an instance (all services when none named), merged by time')
      .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
      .option('-f, --follow', 'keep streaming until Ctrl-C')
      .option('-n, --tail <n>', 'lines per service', parseIntOption('--tail'), 100)
      .option('--since <t>', 'only lines since (10m, 2h, ISO date, unix seconds)'),
  ).action((services: string[], o) =>
    runCommand(o, async () => {
      const ref = refFrom(rt, o.instance);
      const deps = rt.deps(); // the use-cases read the logs on the instance's engine
      const since = o.since ? parseSince(o.since, deps.clock.now()) : undefined;
      const print = logPrinter(!!o.json, await instanceServices(deps, ref));
      if (!o.follow) {
        for (const l of await readLogs(deps, ref, { services, tail: o.tail, since })) print(l);
        return;
      }
      // streams of several containers interleave as they arrive: merge them by timestamp over a short window
      const merger = createTimeMerger(print, 300, {
        now: Date.now,
        every: (ms, fn) => {
          const t = setInterval(fn, ms);
          return () => clearInterval(t);
        },
      });
      const follow = await followLogs(deps, ref, { services, tail: o.tail, since }, (l) => merger.push(l));
      const stop = () => {
        follow();
        merger.close();
      };
      await new Promise<void>((resolve) => {
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          stop();
          resolve();
        };
        // `on`, not `once`: a listener that removes itself lets signal-exit re-raise the signal (see dashboard).
        process.on('SIGINT', end).on('SIGTERM', end);
      });
    }),
  );

  program
    .command('run <service> [cmd...]')
    .description('run a one-off container of a compose service on the instance network (compose run --rm); exit code passes through')
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .passThroughOptions()
    .action((service: string, words: string[], o) =>
      runCommand({}, async () => {
        // `run SERVICE -- CMD…` as `exec -- CMD…` and `kubectl exec POD -- CMD…`: the `--` separates (a container
        // cannot start a program named "--"; it used to be passed on as one)
        const cmd = words[0] === '--' ? words.slice(1) : words;
        // On a terminal the container gets it (interactive); otherwise output is echoed and kept for `evidence`.
        const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
        const ref = refFrom(rt, o.instance);
        const r = await runService(
          rt.deps(),
          ref,
          service,
          cmd,
          tty ? { inheritStdio: true } : { onOutput: (line) => writeStdout(`${line}\n`) },
        );
        return r.exitCode;
      }),
    );

  addCommon(program.command('slots').description('slots 0-10: holder, blacklist reason and ports')).action((o) =>
    runCommand(o, async (out) => {
      const top = (await rt.deps().git.topLevel(rt.cwd)) ?? undefined;
      const rows = await listSlots(rt.deps(), top);
      out.result('slots', { slots: rows });
      out.line(
        table(
          ['SLOT', 'STATE', 'HOLDER', 'API', 'DB', 'REASON'],
          rows.map((r) => [
            r.slot,
            r.state === 'free' ? pc.green('free') : r.state === 'taken' ? 'taken' : pc.red('blacklisted'),
            r.holder ?? '',
            r.ports.find((p) => p.name === 'api')?.port ?? '',
            r.ports.find((p) => p.name === 'db')?.port ?? '',
            r.reason ?? '',
          ]),
        ),
      );
    }),
  );

  const slot = program.command('slot').description('move an instance to another slot, or unblock a blacklisted slot');
  addCommon(
    slot
      .command('move <n>')
      .description('move the instance to slot N (stop, rewrite .env.sandbox and registry, start again if it was running)')
      .option('-i, --instance <id>', 'instance id')
      .option('--no-wait', 'fail at once (INSTANCE_BUSY) when another operation holds the instance'),
  ).action((n: string, o) =>
    runCommand(o, async (out) => {
      const to = parseIntOption('slot')(n);
      const r = await exclusive(rt.deps(), refFrom(rt, o.instance), 'slot-move', { wait: o.wait }, out.event, (ref) =>
        moveSlot(rt.deps(), ref, to, out.event),
      );
      out.result('slot-move', r);
      out.line(
        `Moved ${r.id}: slot ${r.from} → ${r.to}${r.restarted ? (r.restarted.gate?.passed === false ? pc.red(' (gate FAILED)') : ' and restarted') : ''}`,
      );
      return r.restarted?.gate && !r.restarted.gate.passed ? 2 : 0;
    }),
  );
  addCommon(slot.command('unblock <n>').description('re-probe a blacklisted slot and clear it when its ports are free')).action(
    (n: string, o) =>
      runCommand(o, async (out) => {
        const top =
          (await rt
            .deps()
            .git.topLevel(rt.cwd)
            .catch(() => null)) ?? undefined;
        const r = await unblockSlot(rt.deps(), parseIntOption('slot')(n), top);
        out.result('slot-unblock', r);
        out.line(r.cleared ? `Slot ${r.slot} is free again.` : `Slot ${r.slot} was not blacklisted.`);
      }),
  );
}
