// exec · env · url · open: an instance's environment and links for host commands. `env` and `exec` run in
// loops (agents, shells): every import here must stay cheap to load (tests/integration/cli-bundles.test.ts).
import type { Command } from '../args/command';
import { commandNotFound, formatEnv, instanceEnv, instanceUrl, type EnvFormat } from '../../core/use-cases/instance-env';
import { table } from '../table';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';
import { writeStderr, writeStdout } from '../stdio';

/** Signals passed on to the command while it runs (SIGINT: see spawnInherit). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Run a host command as a child, like other tools do (npm exec, env-cmd): stdio inherited, so it reads our
 * stdin and writes to our terminal; SIGTERM and SIGHUP sent to us are passed on, and SIGINT too — unless our
 * stdin is a terminal, where Ctrl-C already reaches the command itself (same foreground process group) and a
 * second copy would interrupt its own clean-up. Resolves with its exit code, 128 + n when signal n killed it,
 * 127 when it is not found and 126 when it cannot be run (as env(1)).
 */
function spawnInherit(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // node:child_process (and the net/stream modules under it) only when a command is really run
    const { spawn } = process.getBuiltinModule('node:child_process');
    // The handlers come first: a signal arriving while the child starts must be passed on, not kill us and
    // leave it running. (They run on the event loop, so after spawn() below has returned.)
    const forward = (sig: NodeJS.Signals) => {
      // isatty(0), not process.stdin.isTTY: that would open fd 0 as a stream, which the command is reading
      if (sig === 'SIGINT' && process.getBuiltinModule('node:tty').isatty(0)) return;
      child.kill(sig);
    };
    for (const sig of FORWARDED) process.on(sig, forward);
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env });
    const done = () => {
      for (const sig of FORWARDED) process.off(sig, forward);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      if (err.code === 'ENOENT') {
        writeStderr(`${commandNotFound(cmd[0]!)}\n`);
        return resolve(127);
      }
      if (err.code === 'EACCES') {
        writeStderr(`ktrdr-sandbox exec: permission denied: ${cmd[0]}\n`);
        return resolve(126);
      }
      reject(err);
    });
    child.on('exit', (code, signal) => {
      done();
      const n = signal ? process.getBuiltinModule('node:os').constants.signals[signal] : undefined;
      resolve(code ?? (n !== undefined ? 128 + n : 1));
    });
  });
}

export function registerEnv(program: Command, rt: Runtime): void {
  program
    .command('exec <cmd...>')
    .description("run a HOST command with the instance's environment (.env.sandbox, KTRDR_API_URL, secrets); exit code passes through")
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .passThroughOptions()
    .action((cmd: string[], o) =>
      runCommand({}, async () => {
        // forwards: a remote instance's ports back on localhost first (the connection may have dropped)
        const env = await instanceEnv(rt.deps(), refFrom(rt, o.instance), { secrets: true, forwards: true });
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
        writeStdout(`${formatEnv(env.vars, o.format as EnvFormat)}\n`);
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
        if (name) writeStdout(`${links[0]!.url}\n`);
        else
          out.line(
            table(
              ['NAME', 'URL'],
              links.map((l) => [l.name, l.url]),
            ),
          );
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
        const child = process.getBuiltinModule('node:child_process').spawn(opener, [link!.url], { stdio: 'ignore', detached: true });
        child.on('error', () => writeStderr(`Could not start ${opener}; open ${link!.url} yourself.\n`));
        child.unref();
        writeStdout(`${link!.url}\n`);
      }),
    );
}
