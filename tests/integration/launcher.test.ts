// The command launcher, bin/ktrdr-sandbox.cjs run as a program (as npm links it): node starts without
// NODE_EXTRA_CA_CERTS yet every child gets it; `exec` runs the command in place; `node bin/…` (no shell part)
// behaves the same; V8's code cache is written once, reused, and survives a corrupt file.
import { execa } from 'execa';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorld, type World } from './world';

let w: World;
let inst: { id: string; path: string };
const MISSING_CA = '/nonexistent/ktrdr-sandbox-test-ca.pem';

beforeAll(async () => {
  w = await makeWorld();
  const c = await w.cli(['create', 'launcher', '--json']);
  expect(c.code, c.stderr).toBe(0);
  inst = c.json.instance;
});
afterAll(async () => {
  await w?.cleanup();
});

/** The launcher itself (the shell part runs), or node on the same file (it does not). */
function run(args: string[], opts: { viaNode?: boolean; env?: Record<string, string>; input?: string; cwd?: string } = {}) {
  const env = { ...w.env, NODE_EXTRA_CA_CERTS: MISSING_CA, ...opts.env };
  const [file, argv] = opts.viaNode ? ['node', [CLI, ...args]] : [CLI, args];
  return execa(file as string, argv as string[], { cwd: opts.cwd ?? inst.path, env, reject: false, input: opts.input ?? '' });
}

const probe = 'printf "pid=%s id=%s ca=%s handoff=%s deferred=%s api=%s pw=%s\\n" "$$" "$INSTANCE_ID" "$NODE_EXTRA_CA_CERTS" "${KTRDR_SANDBOX_EXEC_HANDOFF-unset}" "${KTRDR_SANDBOX_EXTRA_CA_CERTS-unset}" "$KTRDR_API_URL" "${KTRDR_DB_PASSWORD:+set}"; cat; exit 7';

describe('command launcher', () => {
  it('exec runs the command in place: its pid, exit code, stdin, the instance environment and NODE_EXTRA_CA_CERTS as given', async () => {
    const child = run(['exec', '--', 'sh', '-c', probe], { input: 'from-stdin\n' });
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(7);
    expect(r.stdout).toContain(`pid=${child.pid} `); // no node process in between: the command IS the launched process
    expect(r.stdout).toContain(`id=${inst.id} ca=${MISSING_CA} handoff=unset deferred=unset api=http://localhost:`);
    expect(r.stdout).toContain('pw=set'); // per-instance secrets reach exec (never `env`)
    expect(r.stdout).toContain('from-stdin');
    expect(r.stderr).toBe('');
  });

  it('node on the same file (no shell part) gives the command the same environment and exit code', async () => {
    const r = await run(['exec', '--', 'sh', '-c', probe], { viaNode: true, input: 'from-stdin\n' });
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toMatch(new RegExp(`id=${inst.id} ca=${MISSING_CA} handoff=unset deferred=unset api=http://localhost:\\d+ pw=set`));
    expect(r.stdout).toContain('from-stdin');
  });

  it('passes arguments through verbatim (quotes, spaces, newlines, $, globs)', async () => {
    const args = ["it's", 'a b', '$HOME', '*', 'x\ny', '', '--json', '\\'];
    for (const viaNode of [false, true]) {
      const r = await run(['exec', '--', 'node', '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args], { viaNode });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(args);
    }
  });

  it('a missing command exits 127 with one clear line, on both paths', async () => {
    for (const viaNode of [false, true]) {
      const r = await run(['exec', '--', 'no-such-command-kts', 'x'], { viaNode });
      expect(r.exitCode).toBe(127);
      // (node on the file itself warns about the test's missing CA file first)
      expect(r.stderr.trim().split('\n').at(-1)).toBe('ktrdr-sandbox exec: command not found: no-such-command-kts');
    }
  });

  it('a command that is not executable exits 126, on both paths', async () => {
    const script = join(w.root, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\necho RAN\n', { mode: 0o644 });
    for (const viaNode of [false, true]) {
      const r = await run(['exec', '--', script], { viaNode });
      expect(r.exitCode, r.stderr).toBe(126);
      expect(r.stdout).toBe('');
    }
  });

  it('an unknown instance fails before anything runs; --help prints help', async () => {
    const r = await run(['exec', '-i', 'nope', '--', 'sh', '-c', 'echo RAN']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('No instance "nope"');
    const outside = await run(['exec', '--', 'sh', '-c', 'echo RAN'], { cwd: w.root });
    expect(outside.exitCode).toBe(1);
    expect(outside.stdout).toBe('');
    const help = await run(['exec', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ktrdr-sandbox exec/);
  });

  it('node itself never loads NODE_EXTRA_CA_CERTS on the launcher path (it would warn about this missing file)', async () => {
    const direct = await run(['env'], { viaNode: true });
    expect(direct.stderr).toMatch(/Ignoring extra certs/); // the check below can see a load
    for (const args of [['env'], ['list', '--json'], ['status', '--json'], ['exec', '--', 'true']]) {
      const r = await run(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(' ')).not.toMatch(/extra certs/);
    }
  });
});

describe('V8 code cache', () => {
  const dir = () => join(w.home, '.cache', 'ktrdr-sandbox', 'v8');

  it('is written on the first run, reused unchanged, and rewritten when corrupt', async () => {
    expect((await run(['env'])).exitCode).toBe(0);
    const files = (await readdir(dir())).filter((f) => f.includes('cli-light.cjs'));
    expect(files).toHaveLength(1);
    const file = join(dir(), files[0]!);
    const before = await stat(file);
    expect(before.size).toBeGreaterThan(10_000);
    const env1 = await run(['env', '--format', 'json']);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs); // accepted: not written again
    await writeFile(file, 'garbage');
    const env2 = await run(['env', '--format', 'json']);
    expect(env2.exitCode).toBe(0);
    expect(env2.stdout).toBe(env1.stdout);
    expect((await readFile(file)).length).toBeGreaterThan(10_000);
  });

  it('covers the full bundle and the vendored libraries it loads; KTRDR_SANDBOX_NO_COMPILE_CACHE=1 writes nothing', async () => {
    expect((await run(['ports', '--json'])).exitCode).toBe(0);
    expect((await run(['doctor', '--json'])).exitCode).not.toBe(-1);
    const names = await readdir(dir());
    expect(names.some((f) => f.includes('-cli.cjs-'))).toBe(true);
    expect(names.some((f) => f.includes('vendor_yaml.cjs'))).toBe(true);
    const other = await makeWorld('nocache');
    try {
      const r = await execa(CLI, ['list', '--json'], { cwd: other.repo, env: { ...other.env, KTRDR_SANDBOX_NO_COMPILE_CACHE: '1' }, reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      await expect(readdir(join(other.home, '.cache', 'ktrdr-sandbox'))).rejects.toThrow();
    } finally {
      await other.cleanup();
    }
  });
});
