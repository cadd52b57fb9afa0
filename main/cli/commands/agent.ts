// logs · run · exec · env · url · open · slots · slot move · slot unblock
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import pc from 'picocolors';
import { SandboxError } from '../../core/errors';
import { followLogs, parseSince, readLogs, type ServiceLogLine } from '../../core/use-cases/logs';
import { runService } from '../../core/use-cases/run';
import { formatEnv, instanceEnv, instanceUrl, type EnvFormat } from '../../core/use-cases/instance-env';
import { listSlots, moveSlot, unblockSlot } from '../../core/use-cases/slot-ops';
import { table } from '../render';
import { addCommon, parseIntOption, refFrom, runCommand, type Runtime } from '../runtime';

const COLOURS = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];

function logPrinter(json: boolean) {
  const colourOf = new Map<string, (s: string) => string>();
  let width = 0;
  return (l: ServiceLogLine) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(l)}\n`);
      return;
    }
    if (!colourOf.has(l.service)) colourOf.set(l.service, COLOURS[colourOf.size % COLOURS.length]!);
    width = Math.max(width, l.service.length);
    process.stdout.write(`${colourOf.get(l.service)!(`${l.service.padEnd(width)} |`)} ${l.text}\n`);
  };
}

/** Spawn a host command with stdio inherited; resolve with its exit code (signals forwarded). */
function spawnInherit(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt).on('SIGTERM', onTerm);
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new SandboxError('USAGE', `Command not found: ${cmd[0]}`) : err),
    );
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1) : 1));
    });
  });
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
      const deps = rt.deps();
      const ref = refFrom(rt, o.instance);
      const since = o.since ? parseSince(o.since, deps.clock.now()) : undefined;
      const print = logPrinter(!!o.json);
      if (!o.follow) {
        for (const l of await readLogs(deps, ref, { services, tail: o.tail, since })) print(l);
        return;
      }
      const stop = await followLogs(deps, ref, { services, tail: o.tail, since }, print);
      await new Promise<void>((resolve) => {
        const end = () => {
          stop();
          resolve();
        };
        process.once('SIGINT', end).once('SIGTERM', end);
      });
    }),
  );

  program
    .command('run <service> [cmd...]')
    .description('run a one-off container of a compose service on the instance network (compose run --rm); exit code passes through')
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .passThroughOptions()
    .action((service: string, cmd: string[], o) =>
      runCommand({}, async () => {
        // On a terminal the container gets it (interactive); otherwise output is echoed and kept for `evidence`.
        const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
        const r = await runService(rt.deps(), refFrom(rt, o.instance), service, cmd, tty ? { inheritStdio: true } : { onOutput: (line) => process.stdout.write(`${line}\n`) });
        return r.exitCode;
      }),
    );

  program
    .command('exec <cmd...>')
    .description("run a HOST command with the instance's environment (.env.sandbox, KTRDR_API_URL, secrets); exit code passes through")
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .passThroughOptions()
    .action((cmd: string[], o) =>
      runCommand({}, async () => {
        const env = await instanceEnv(rt.deps(), refFrom(rt, o.instance), { secrets: true });
        return spawnInherit(cmd, { ...process.env, ...env.vars });
      }),
    );

  program
    .command('env')
    .description('print the instance environment, e.g. eval "$(ktrdr-sandbox env)" (no secrets)')
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .option('--format <format>', 'sh | fish | json | dotenv', 'sh')
    .action((o) =>
      runCommand({}, async () => {
        const env = await instanceEnv(rt.deps(), refFrom(rt, o.instance));
        process.stdout.write(`${formatEnv(env.vars, o.format as EnvFormat)}\n`);
      }),
    );

  addCommon(
    program
      .command('url [name]')
      .description('print a link of the instance (api, grafana, jaeger, prometheus); all when no name')
      .option('-i, --instance <id>', 'instance id'),
  ).action((name: string | undefined, o) =>
    runCommand(o, async (out) => {
      const links = await instanceUrl(rt.deps(), refFrom(rt, o.instance), name);
      out.result('url', { links });
      if (!o.json) {
        if (name) process.stdout.write(`${links[0]!.url}\n`);
        else out.line(table(['NAME', 'URL'], links.map((l) => [l.name, l.url])));
      }
    }),
  );

  program
    .command('open <name>')
    .description('open a link of the instance in the default browser')
    .option('-i, --instance <id>', 'instance id')
    .action((name: string, o) =>
      runCommand({}, async () => {
        const [link] = await instanceUrl(rt.deps(), refFrom(rt, o.instance), name);
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
        const child = spawn(opener, [link!.url], { stdio: 'ignore', detached: true });
        child.on('error', () => process.stderr.write(`Could not start ${opener}; open ${link!.url} yourself.\n`));
        child.unref();
        process.stdout.write(`${link!.url}\n`);
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
      .option('-i, --instance <id>', 'instance id'),
  ).action((n: string, o) =>
    runCommand(o, async (out) => {
      const r = await moveSlot(rt.deps(), refFrom(rt, o.instance), parseIntOption('slot')(n), out.event);
      out.result('slot-move', r);
      out.line(`Moved ${r.id}: slot ${r.from} → ${r.to}${r.restarted ? (r.restarted.gate?.passed === false ? pc.red(' (gate FAILED)') : ' and restarted') : ''}`);
      return r.restarted?.gate && !r.restarted.gate.passed ? 2 : 0;
    }),
  );
  addCommon(slot.command('unblock <n>').description('re-probe a blacklisted slot and clear it when its ports are free')).action((n: string, o) =>
    runCommand(o, async (out) => {
      const top = (await rt.deps().git.topLevel(rt.cwd).catch(() => null)) ?? undefined;
      const r = await unblockSlot(rt.deps(), parseIntOption('slot')(n), top);
      out.result('slot-unblock', r);
      out.line(r.cleared ? `Slot ${r.slot} is free again.` : `Slot ${r.slot} was not blacklisted.`);
    }),
  );
}
