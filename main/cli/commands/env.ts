// exec · env · url · open: an instance's environment and links for host commands. Part of the light CLI
// bundle (main/cli/light.ts): `exec` and `env` have a budget of 150 ms, so every import must stay cheap.
import type { Command } from 'commander';
import { commandNotFound, execHandoffScript, formatEnv, instanceEnv, instanceUrl, type EnvFormat } from '../../core/use-cases/instance-env';
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
    child.on('error', (err: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      // the exit codes of env(1) and of the launcher's in-place exec: 127 not found, 126 not executable
      if (err.code === 'ENOENT') {
        process.stderr.write(`${commandNotFound(cmd[0]!)}\n`);
        return resolve(127);
      }
      if (err.code === 'EACCES') {
        process.stderr.write(`ktrdr-sandbox exec: permission denied: ${cmd[0]}\n`);
        return resolve(126);
      }
      reject(err);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1) : 1));
    });
  });
}

/** The fd the command launcher reads an exec hand-off from (bin/ktrdr-sandbox.cjs); never passed on to children. */
function takeHandoffFd(): number | undefined {
  const v = process.env.KTRDR_SANDBOX_EXEC_HANDOFF;
  delete process.env.KTRDR_SANDBOX_EXEC_HANDOFF;
  return v !== undefined && /^[3-9]$/.test(v) ? Number(v) : undefined;
}

/** Write the script for the launcher to run in place; false when that fd is not the launcher's pipe. */
function handOff(fd: number, script: string): boolean {
  const fs = process.getBuiltinModule('node:fs');
  try {
    if (!fs.fstatSync(fd).isFIFO()) return false;
    fs.writeSync(fd, script);
    return true;
  } catch {
    return false;
  }
}

export function registerEnv(program: Command, rt: Runtime): void {
  program
    .command('exec <cmd...>')
    .description("run a HOST command with the instance's environment (.env.sandbox, KTRDR_API_URL, secrets); exit code passes through")
    .option('-i, --instance <id>', 'instance id (default: the one holding the current directory)')
    .passThroughOptions()
    .action((cmd: string[], o) =>
      runCommand({}, async () => {
        const handoffFd = takeHandoffFd();
        const env = await instanceEnv(rt.deps(), refFrom(rt, o.instance), { secrets: true });
        if (handoffFd !== undefined && handOff(handoffFd, execHandoffScript(env.vars, cmd))) return 0;
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
