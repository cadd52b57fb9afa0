// `ktrdr-sandbox dashboard --json` against a world, as a subprocess on a free port, without a desktop (no DISPLAY:
// nothing it opens can reach a screen): the one way the e2e tests start the dashboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, type World } from '../integration/world';

export interface Dashboard {
  url: string;
  port: number;
  pid: number;
  /** the first line the command printed (its JSON document) */
  info: { url: string; port: number; ok: boolean; schema: string };
  /** everything it wrote to stderr so far */
  log(): string;
  /** SIGTERM (SIGKILL after 10 s); its exit code, null when a signal ended it */
  stop(): Promise<number | null>;
}

export async function startDashboard(w: World): Promise<Dashboard> {
  const env = { ...process.env, ...w.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
  const server: ChildProcess = spawn('node', [CLI, 'dashboard', '--port', '0', '--repo', w.repo, '--json'], {
    cwd: w.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`dashboard did not start in 15 s:\n${buf}\n${log}`)), 15_000);
    server.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(t);
        resolve(buf.slice(0, nl));
      }
    });
    server.once('exit', (code) => reject(new Error(`dashboard exited (${code}):\n${buf}\n${log}`)));
  });
  const info = JSON.parse(first) as Dashboard['info'];
  const exited = () => server.exitCode !== null || server.signalCode !== null;
  return {
    url: info.url,
    port: info.port,
    pid: server.pid!,
    info,
    log: () => log,
    async stop() {
      if (exited()) return server.exitCode;
      const done = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
      server.kill('SIGTERM');
      const t = setTimeout(() => server.kill('SIGKILL'), 10_000);
      const code = await done;
      clearTimeout(t);
      return code;
    },
  };
}
