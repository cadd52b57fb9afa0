// exec · env · url · open: an instance's environment and links for host commands. Part of the light CLI
// bundle (main/cli/light.ts): `exec` and `env` have a budget of 150 ms, so every import must stay cheap.
import type { Command } from 'commander';
import { SandboxError } from '../../core/errors';
import { formatEnv, instanceEnv, instanceUrl, type EnvFormat } from '../../core/use-cases/instance-env';
import { table } from '../render';
import { addCommon, refFrom, runCommand, type Runtime } from '../runtime';

/** Spawn a host command with stdio inherited; resolve with its exit code (signals forwarded). */
function spawnInherit(cmd: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // node:child_process (and the net/stream modules under it) only when a command is really run
    const { spawn } = process.getBuiltinModule('node:child_process');
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

export function registerEnv(program: Command, rt: Runtime): void {
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
        const child = process.getBuiltinModule('node:child_process').spawn(opener, [link!.url], { stdio: 'ignore', detached: true });
        child.on('error', () => process.stderr.write(`Could not start ${opener}; open ${link!.url} yourself.\n`));
        child.unref();
        process.stdout.write(`${link!.url}\n`);
      }),
    );
}
