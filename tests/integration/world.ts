// A throwaway world for one test file: temp HOME, a git repository made from the fixture template, and the
// real CLI run as a subprocess. cleanup() removes every container/volume/network, worktree and file it made.
import { execa, type Result } from 'execa';
import { cp, mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'ktrdr-sandbox.js');
export const FIXTURE = join(ROOT, 'tests', 'fixtures', 'stack');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** parsed stdout when --json was passed */
  json: any;
  ms: number;
}

export interface World {
  root: string;
  home: string;
  repo: string;
  env: Record<string, string>;
  cli(args: string[], opts?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  registryFile: string;
  cleanup(): Promise<void>;
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: { GIT_TERMINAL_PROMPT: '0' } });
  return r.stdout.trim();
}

export async function makeWorld(name = 'ktrdr'): Promise<World> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kts-')));
  const home = join(root, 'home');
  const repo = join(root, 'src', name);
  await mkdir(home, { recursive: true });
  await mkdir(join(root, 'src'), { recursive: true });
  await cp(FIXTURE, repo, { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'config', 'user.email', 'test@example.invalid');
  await git(repo, 'config', 'user.name', 'Test');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'fixture');
  const env: Record<string, string> = { HOME: home, NO_COLOR: '1', KTRDR_SANDBOX_HOME: '', KTRDR_SHARED_HOME: '', XDG_CACHE_HOME: '' };
  const world: World = {
    root,
    home,
    repo,
    env,
    registryFile: join(home, '.ktrdr', 'sandbox', 'instances.json'),
    async cli(args, opts = {}) {
      const t0 = Date.now();
      // the command itself, as npm links it (bin/ktrdr-sandbox.js)
      const r: Result = await execa(CLI, args, {
        cwd: opts.cwd ?? repo,
        env: { ...env, ...opts.env },
        reject: false,
        timeout: opts.timeoutMs ?? 300_000,
        stdin: 'ignore',
      });
      const stdout = String(r.stdout);
      let json: unknown = undefined;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      return { code: r.exitCode ?? -1, stdout, stderr: String(r.stderr), json, ms: Date.now() - t0 };
    },
    async cleanup() {
      await world.cli(['destroy', '--all', '--force', '--json']).catch(() => undefined);
      // Belt and braces: anything labelled with a project whose working dir is inside this world.
      // One listing with the two labels (an inspect per container took 25–40 s on a busy shared engine).
      const ps = await execa(
        'docker',
        [
          'ps',
          '-a',
          '--filter',
          'label=com.docker.compose.project',
          '--format',
          '{{.Label "com.docker.compose.project.working_dir"}}\t{{.Label "com.docker.compose.project"}}',
        ],
        { reject: false },
      );
      const projects = new Set<string>();
      for (const line of String(ps.stdout).split('\n')) {
        const [dir, project] = line.split('\t');
        if (dir && project && (dir === root || dir.startsWith(`${root}/`))) projects.add(project);
      }
      for (const project of projects) await removeProject(project);
      await rm(root, { recursive: true, force: true });
    },
  };
  return world;
}

export async function removeProject(project: string): Promise<void> {
  const label = `label=com.docker.compose.project=${project}`;
  const ids = String((await execa('docker', ['ps', '-aq', '--filter', label], { reject: false })).stdout)
    .split('\n')
    .filter(Boolean);
  if (ids.length) await execa('docker', ['rm', '-f', '-v', ...ids], { reject: false });
  const nets = String((await execa('docker', ['network', 'ls', '-q', '--filter', label], { reject: false })).stdout)
    .split('\n')
    .filter(Boolean);
  if (nets.length) await execa('docker', ['network', 'rm', ...nets], { reject: false });
  const vols = String((await execa('docker', ['volume', 'ls', '-q', '--filter', label], { reject: false })).stdout)
    .split('\n')
    .filter(Boolean);
  if (vols.length) await execa('docker', ['volume', 'rm', '-f', ...vols], { reject: false });
}

/** The running container of a compose service (empty when none runs). */
export async function serviceContainer(project: string, service: string): Promise<string> {
  const ps = await execa('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ]);
  return String(ps.stdout).split('\n')[0] ?? '';
}

/** Resources Docker holds for a compose project. */
export async function projectResources(project: string): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const label = `label=com.docker.compose.project=${project}`;
  const list = async (args: string[]) =>
    String((await execa('docker', [...args, '--filter', label], { reject: false })).stdout)
      .split('\n')
      .filter(Boolean);
  return {
    containers: await list(['ps', '-aq']),
    volumes: await list(['volume', 'ls', '-q']),
    networks: await list(['network', 'ls', '-q']),
  };
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.text() };
}

/** Every file below dir, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/**
 * Wait until Docker itself reports every container of the project healthy (or without a healthcheck). The gate
 * decides readiness by running the services' healthchecks itself, so right after PASSED Docker may still say
 * `starting` until its own next interval: tests that read Docker's view (list, status, evidence) wait for it.
 */
export async function waitDockerHealthy(project: string, count: number, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    const ps = await execa('docker', ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Status}}'], {
      reject: false,
    });
    const lines = String(ps.stdout).split('\n').filter(Boolean);
    last = lines.join('; ');
    if (lines.length >= count && lines.every((s) => s.startsWith('Up') && !/\((health: starting|unhealthy)\)/.test(s))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${project}: Docker did not report ${count} healthy containers within ${timeoutMs} ms (${last})`);
}
