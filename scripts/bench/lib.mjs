// Shared helpers for the benchmark: a temp world (HOME + fixture repo), CLI runs, timing and medians.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'ktrdr-sandbox.js');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function makeWorld(name = 'ktrdr') {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'kts-bench-')));
  const home = join(root, 'home');
  const repo = join(root, 'src', name);
  mkdirSync(home, { recursive: true });
  cpSync(join(ROOT, 'tests', 'fixtures', 'stack'), repo, { recursive: true });
  const git = (...a) => execFileSync('git', a, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'commit', '-qm', 'fixture');
  const env = { ...process.env, HOME: home, NO_COLOR: '1', KTRDR_SANDBOX_HOME: '', KTRDR_SHARED_HOME: '', XDG_CACHE_HOME: '' };
  return {
    root,
    home,
    repo,
    env,
    cli(args, cwd = repo, runEnv = env) {
      const t0 = performance.now();
      // the command as npm links it, which is what users and agents run
      const r = spawnSync(CLI, args, { cwd, env: runEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
      const ms = performance.now() - t0;
      let json;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(r.stdout);
        } catch {
          json = undefined;
        }
      }
      return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms, json };
    },
    spawnCli(args, cwd = repo) {
      return spawn(CLI, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    cleanup() {
      this.cli(['destroy', '--all', '--force']);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A small git repository at <root>/src/<name> holding these files (path → text), committed. */
export function tinyRepo(root, name, files) {
  const repo = join(root, 'src', name);
  mkdirSync(repo, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(repo, file), text);
  const git = (...a) => execFileSync('git', a, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'commit', '-qm', name);
  return repo;
}

/** Run each named measurement n times, interleaved (a load swing hits all of them alike); medians. */
export function interleaved(n, named) {
  const samples = Object.fromEntries(Object.keys(named).map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const [k, fn] of Object.entries(named)) samples[k].push(fn());
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
}

/** Run a and b n times each, alternating which goes first (a b, b a, a b, …): neither always follows the other. */
export function alternating(n, a, b) {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      a();
      b();
    } else {
      b();
      a();
    }
  }
}

export function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export function must(r, what) {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
