// dashboard: serve the renderer and the contract on 127.0.0.1 until SIGINT/SIGTERM.
import type { Command } from '../args/command';
import pc from '../colors';
import { resolve } from 'node:path';
import { SandboxError } from '../../core/errors';
import { canonical } from '../../core/resolve';
import { startDashboardServer } from '../../server/dashboard-server';
import { createNodePlatform } from '../../ui-backend/node-platform';
import { createSurfaceLog, defaultLogDir } from '../../adapters/surface-log';
import { SCHEMA_VERSION } from '../render';
import { addCommon, parseIntOption, runCommand, type Runtime } from '../runtime';
import { writeStderr, writeStdout } from '../stdio';

export function registerDashboard(program: Command, rt: Runtime): void {
  addCommon(
    program
      .command('dashboard')
      .description('serve the dashboard on 127.0.0.1 (token-protected) until Ctrl-C')
      .option('-p, --port <port>', 'port to listen on (default: any free port)', parseIntOption('--port'), 0)
      .option('--open', 'open the dashboard in the default browser')
      .option('--repo <dir>', 'repository to create instances from (default: the checkout holding the current directory)'),
  ).action((o: { port: number; open?: boolean; repo?: string; json?: boolean; verbose?: boolean }) =>
    runCommand(o, async (out) => {
      if (o.port < 0 || o.port > 65535) throw new SandboxError('USAGE', `--port must be 0-65535, got ${o.port}`);
      const deps = rt.deps();
      let repository: string | null;
      if (o.repo) {
        const dir = canonical(resolve(rt.cwd, o.repo), deps.files);
        repository = await deps.git.topLevel(dir);
        if (!repository)
          throw new SandboxError('USAGE', `${dir} is not inside a git repository`, { hint: 'Pass your project checkout to --repo.' });
      } else {
        repository = await deps.git.topLevel(rt.cwd).catch(() => null);
      }
      const platform = createNodePlatform({ home: deps.home });
      // --verbose prints the log's lines to stderr as they are written
      const log = createSurfaceLog({
        dir: defaultLogDir(),
        name: 'dashboard',
        echo: o.verbose ? (l) => writeStderr(`${l}\n`) : undefined,
      });
      const server = await startDashboardServer({ deps, port: o.port, repository, platform, log });
      log.info(`dashboard listening on 127.0.0.1:${server.port}${repository ? ` for ${repository}` : ''}`);
      if (o.json)
        writeStdout(
          `${JSON.stringify({ schema: `ktrdr-sandbox/dashboard@${SCHEMA_VERSION}`, ok: true, url: server.url, port: server.port })}\n`,
        );
      else {
        out.line(`Dashboard: ${pc.bold(server.url)}`);
        out.line(pc.dim(`Serving on 127.0.0.1:${server.port} only${repository ? ` · repository ${repository}` : ''}. Ctrl-C to stop.`));
        out.line(pc.dim(`Log: ${log.file}`));
      }
      if (o.open) {
        // no desktop here (an SSH session): say so, the URL above is the way in
        await platform.openExternal(server.url).catch((err: unknown) => {
          const msg = `Could not open a browser: ${(err as Error).message.replace(/^Cannot open a browser here: /, '')}. Open the URL above yourself (over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} this-host).`;
          if (o.json) writeStderr(`${JSON.stringify({ event: 'step', id: 'open', label: msg, state: 'warning' })}\n`);
          else out.line(pc.yellow(msg));
        });
      }
      // The handlers stay registered until the process ends: signal-exit (used by libraries loaded on first
      // use, e.g. the registry lock) re-raises a signal when it believes it is the only listener left, so
      // removing ours inside the handler turned SIGTERM into a kill in the middle of the shutdown.
      await new Promise<void>((done) => {
        process.on('SIGINT', () => done());
        process.on('SIGTERM', () => done());
      });
      await server.close();
      log.info('dashboard stopped');
      out.line('Dashboard stopped.');
    }),
  );
}
