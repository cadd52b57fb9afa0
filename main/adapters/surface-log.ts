// A small rotating log for the long-running surfaces (the tray app and `dashboard`): every handler call with its
// duration and outcome, engine reconnects, errors with stacks. One line per record, appended synchronously (a
// few lines a second at most), rotated by size: name.log → name.1.log → … → name.<keep>.log.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SurfaceLog {
  readonly file: string;
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

export interface SurfaceLogOptions {
  dir: string;
  /** File name without extension: "dashboard", "tray". */
  name: string;
  maxBytes?: number;
  keep?: number;
  /** Also print each line here (the CLI's --verbose prints the same lines to stderr). */
  echo?: (line: string) => void;
  now?: () => Date;
}

/** Where the platform keeps application logs: ~/Library/Logs on macOS, %LOCALAPPDATA% on Windows, XDG state on Linux. */
export function defaultLogDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (env.KTRDR_SANDBOX_LOG_DIR) return env.KTRDR_SANDBOX_LOG_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 'ktrdr-sandbox');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'ktrdr-sandbox', 'Logs');
  return join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'ktrdr-sandbox', 'logs');
}

export function createSurfaceLog(opts: SurfaceLogOptions): SurfaceLog {
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const keep = opts.keep ?? 3;
  const now = opts.now ?? (() => new Date());
  const file = join(opts.dir, `${opts.name}.log`);
  let size = -1;
  let broken = false;

  function rotate(): void {
    rmSync(join(opts.dir, `${opts.name}.${keep}.log`), { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(join(opts.dir, `${opts.name}.${i}.log`), join(opts.dir, `${opts.name}.${i + 1}.log`));
      } catch {
        /* not there yet */
      }
    }
    renameSync(file, join(opts.dir, `${opts.name}.1.log`));
    size = 0;
  }

  function write(level: 'info' | 'error', message: string): void {
    const line = `${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`;
    opts.echo?.(line.trimEnd());
    if (broken) return;
    try {
      if (size < 0) {
        mkdirSync(opts.dir, { recursive: true });
        size = statSize(file);
      }
      if (size > 0 && size + line.length > maxBytes) rotate();
      appendFileSync(file, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch {
      // A log that cannot be written must never take the surface down; stop trying until restart.
      broken = true;
    }
  }

  return {
    file,
    info: (message) => write('info', message),
    error(message, err) {
      const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : err === undefined ? '' : `: ${String(err)}`;
      write('error', `${message}${detail}`);
    },
  };
}

function statSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
