// Compose (the CLI): `docker compose` (v2) when present, else `docker-compose` (v1). Every command gets
// the same global options, so v1 (1.29) and v2 behave alike: -p, --project-directory, -f…, --env-file.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Compose, ComposeInfo, ComposeRunOptions, ComposeTarget } from '../core/deps';
import { SandboxError } from '../core/errors';
import { childEnv } from './child-env';
import { serviceProfiles } from './compose-profiles';
import { LineSplitter } from './demux';
import { processes, terminate } from './processes';

export interface ComposeOptions {
  /** e.g. { DOCKER_HOST } so compose talks to the engine the app uses. */
  dockerEnv?: Record<string, string>;
  /** Base environment; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const STDERR_TAIL_LINES = 20;
/** How long a leftover compose gets to stop at SIGTERM before SIGKILL. */
const LEFTOVER_GRACE_MS = 10_000;

export class ComposeNotFoundError extends SandboxError {
  constructor() {
    super('COMPOSE_FAILED', 'Docker Compose not found: neither `docker compose` (v2 plugin) nor `docker-compose` (v1) runs here.', {
      hint: 'Install the Compose plugin (https://docs.docker.com/compose/install/) or put docker / docker-compose on PATH.',
    });
    this.name = 'ComposeNotFoundError';
  }
}

/** A compose command exited non-zero (or could not start). The message holds the command and the end of stderr. */
export class ComposeCommandError extends SandboxError {
  constructor(
    /** The command line (no environment values). */
    readonly command: string,
    readonly commandExitCode: number | undefined,
    /** The last lines of stderr. */
    readonly stderrTail: string[],
  ) {
    super(
      'COMPOSE_FAILED',
      `\`${command}\` failed${commandExitCode !== undefined ? ` with exit code ${commandExitCode}` : ''}` +
        (stderrTail.length ? `:\n${stderrTail.join('\n')}` : ''),
      { details: { command, exitCode: commandExitCode, stderr: stderrTail } },
    );
    this.name = 'ComposeCommandError';
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(argv: string[]): string {
  return argv.map(quote).join(' ');
}

function tail(text: string, n: number): string[] {
  const lines = text.split(/\r?\n|\r/).filter((l) => l.trim() !== '');
  return lines.slice(-n);
}

/** Global compose options for a target (before the subcommand). */
export function composeGlobalArgs(t: ComposeTarget, profiles: string[] = []): string[] {
  const args = ['-p', t.project, '--project-directory', t.projectDir];
  for (const f of t.files) args.push('-f', path.resolve(t.projectDir, f));
  if (t.envFile) args.push('--env-file', path.resolve(t.projectDir, t.envFile));
  for (const p of profiles) args.push('--profile', p);
  return args;
}

/** Subcommands that change a project (a compose left running with one of these races the next operation). */
const CHANGING = new Set(['up', 'create', 'start', 'restart', 'stop', 'down', 'rm', 'kill', 'pause', 'unpause', 'build', 'pull']);

/**
 * The project and subcommand of a compose command line of ours (composeGlobalArgs' form: `-p ID
 * --project-directory DIR [-f F]… [--env-file E] [--profile P]… SUBCOMMAND …`, run as `docker-compose` or
 * `docker compose`), or null for any other command line.
 */
export function ourComposeCall(argv: string[]): { project: string; subcommand: string; changes: boolean } | null {
  for (let i = 1; i + 3 < argv.length; i++) {
    if (argv[i] !== '-p' || argv[i + 2] !== '--project-directory') continue;
    const before = argv.slice(0, i);
    if (!before.some((a) => a === 'compose' || path.basename(a) === 'docker-compose')) return null;
    let j = i + 4;
    while (['-f', '--env-file', '--profile'].includes(argv[j] ?? '')) j += 2;
    const subcommand = argv[j];
    if (subcommand === undefined) return null;
    return { project: argv[i + 1]!, subcommand, changes: CHANGING.has(subcommand) };
  }
  return null;
}

/** The first executable regular file called `name` in PATH (POSIX). Null when none, or on Windows (PATHEXT). */
export async function findOnPath(
  name: string,
  pathValue: string | undefined,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  if (platform === 'win32') return null;
  for (const dir of (pathValue ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      await access(file, constants.X_OK);
      if ((await stat(file)).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

export function createCompose(opts: ComposeOptions = {}): Compose {
  const baseEnv = opts.env ?? process.env;
  const toolEnv = childEnv(baseEnv, opts.dockerEnv);
  let detected: Promise<ComposeInfo> | undefined;
  let v2Probe: Promise<string | null> | undefined;
  let resolved: Promise<string[]> | undefined;

  async function tryVersion(file: string, args: string[]): Promise<string | null> {
    try {
      const r = await execa(file, args, { env: toolEnv, extendEnv: false, reject: false, stdin: 'ignore', timeout: 20_000 });
      if (r.exitCode !== 0) return null;
      const v = r.stdout.trim().split(/\s+/)[0]?.replace(/^v/, '') ?? '';
      return /^\d+\./.test(v) ? v : null;
    } catch {
      return null;
    }
  }

  /** `docker compose version` (a Go plugin: ~50 ms), asked once and shared by info() and command(). */
  function probeV2(): Promise<string | null> {
    return (v2Probe ??= tryVersion('docker', ['compose', 'version', '--short']));
  }

  async function detect(): Promise<ComposeInfo> {
    const v2 = await probeV2();
    if (v2) return { variant: v2.startsWith('1.') ? 'v1' : 'v2', command: ['docker', 'compose'], version: v2 };
    const v1 = await tryVersion('docker-compose', ['version', '--short']);
    if (v1) return { variant: v1.startsWith('1.') ? 'v1' : 'v2', command: ['docker-compose'], version: v1 };
    throw new ComposeNotFoundError();
  }

  function info(): Promise<ComposeInfo> {
    if (!detected) {
      detected = detect();
      detected.catch(() => {
        detected = undefined; // try again next time (compose may get installed meanwhile)
        v2Probe = undefined;
      });
    }
    return detected;
  }

  /**
   * Which binary to launch. Running a command does not need compose's version, and asking `docker-compose`
   * v1 for it costs a whole Python start (~1 s, as much as the command itself): without the v2 plugin, the
   * first `docker-compose` on PATH is used as is. The version stays info()'s business (doctor, evidence).
   */
  async function findCommand(): Promise<string[]> {
    if (detected) return (await detected).command;
    if (await probeV2()) return ['docker', 'compose'];
    if (await findOnPath('docker-compose', toolEnv.PATH)) return ['docker-compose'];
    return (await info()).command; // not found by looking (Windows): ask, which also names what is missing
  }

  function command(): Promise<string[]> {
    if (!resolved) {
      resolved = findCommand();
      resolved.catch(() => {
        resolved = undefined;
        v2Probe = undefined;
      });
    }
    return resolved;
  }

  interface Invocation {
    onLine?: (line: string) => void;
    inheritStdio?: boolean;
    /** Resolve with the exit code instead of throwing on a non-zero exit. */
    allowFailure?: boolean;
    profiles?: string[];
    /** Kills compose when it aborts. */
    signal?: AbortSignal;
  }

  async function invoke(t: ComposeTarget, args: string[], inv: Invocation = {}) {
    const [file, ...pre] = (await command()) as [string, ...string[]];
    const argv = [...pre, ...composeGlobalArgs(t, inv.profiles), ...args];
    const cmdline = formatCommand([file, ...argv]);
    try {
      if (!(await stat(t.projectDir)).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new Error(`Cannot run \`${cmdline}\`: project directory ${t.projectDir} does not exist`);
    }
    const env = childEnv(baseEnv, opts.dockerEnv, t.env);
    // the target's signal (an engine lost mid-compose) or this call's (a Start cancelled in the dashboard)
    const signal = t.signal && inv.signal ? AbortSignal.any([t.signal, inv.signal]) : (t.signal ?? inv.signal);
    const cancel = signal ? { cancelSignal: signal, forceKillAfterDelay: 2000 } : {};
    const sub = inv.inheritStdio
      ? execa(file, argv, { cwd: t.projectDir, env, extendEnv: false, reject: false, stdio: 'inherit', ...cancel })
      : execa(file, argv, { cwd: t.projectDir, env, extendEnv: false, reject: false, all: true, stdin: 'ignore', ...cancel });
    if (inv.onLine && !inv.inheritStdio) {
      const out = new LineSplitter(inv.onLine);
      const err = new LineSplitter(inv.onLine);
      sub.stdout?.on('data', (c: Buffer) => out.push(c));
      sub.stderr?.on('data', (c: Buffer) => err.push(c));
      sub.stdout?.on('end', () => out.flush());
      sub.stderr?.on('end', () => err.flush());
    }
    const r = await sub;
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const all = typeof r.all === 'string' ? r.all : '';
    if (r.exitCode === undefined) {
      // could not start, or killed by a signal
      const why = r.signal ? `killed by ${r.signal}` : r.cause instanceof Error ? r.cause.message : (r.shortMessage ?? 'could not start');
      throw new ComposeCommandError(cmdline, undefined, [...tail(stderr, STDERR_TAIL_LINES), why]);
    }
    if (r.exitCode !== 0 && !inv.allowFailure) {
      throw new ComposeCommandError(cmdline, r.exitCode, tail(stderr || stdout, STDERR_TAIL_LINES));
    }
    return { exitCode: r.exitCode, stdout, stderr, all };
  }

  async function profilesFor(t: ComposeTarget, service: string): Promise<string[]> {
    const texts: string[] = [];
    for (const f of t.files) {
      try {
        texts.push(await readFile(path.resolve(t.projectDir, f), 'utf8'));
      } catch {
        // compose will report the missing file itself
      }
    }
    const fromFiles = serviceProfiles(texts, service);
    if (fromFiles) return fromFiles;
    // defined through extends/include: ask compose for the resolved configuration
    try {
      const r = await invoke(t, ['config']);
      return serviceProfiles([r.stdout], service) ?? [];
    } catch {
      return [];
    }
  }

  return {
    info,

    async up(t, o = {}) {
      const args = ['up', '-d'];
      if (o.build) args.push('--build');
      args.push('--remove-orphans');
      if (o.services?.length) args.push(...(o.noDeps ? ['--no-deps'] : []), '--', ...o.services);
      await invoke(t, args, { ...(o.onOutput ? { onLine: o.onOutput } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    },

    async down(t, o = {}) {
      const args = ['down', '--remove-orphans'];
      if (o.volumes) args.push('-v');
      await invoke(t, args);
    },

    async stop(t) {
      await invoke(t, ['stop']);
    },

    async config(t) {
      return (await invoke(t, ['config'])).stdout;
    },

    async run(t: ComposeTarget, service: string, cmd: string[], o: ComposeRunOptions = {}) {
      const profiles = await profilesFor(t, service);
      const tty = o.inheritStdio === true && process.stdin.isTTY === true && process.stdout.isTTY === true;
      const args = ['run', '--rm', ...(tty ? [] : ['-T']), service, ...cmd];
      const inv: Invocation = { allowFailure: true, profiles };
      if (o.inheritStdio) inv.inheritStdio = true;
      if (o.onOutput) inv.onLine = o.onOutput;
      const r = await invoke(t, args, inv);
      return { exitCode: r.exitCode, output: r.all };
    },

    async endLeftovers(project) {
      const left = (await processes()).filter((p) => {
        const call = ourComposeCall(p.argv);
        return call?.project === project && call.changes;
      });
      // compose stops at SIGTERM (v2 cleanly, v1 at once): the next compose call converges from what is left
      await Promise.all(left.map((p) => terminate(p.pid, LEFTOVER_GRACE_MS)));
      return left.map((p) => p.pid);
    },
  };
}
