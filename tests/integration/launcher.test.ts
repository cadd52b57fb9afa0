// The command as npm links it: bin/ktrdr-sandbox.js, a plain node program. `exec` runs the command as a child,
// like other tools: the command's exit code (128 + n when signal n killed it), its stdin, the signals sent to
// ktrdr-sandbox passed on, the instance environment, NODE_EXTRA_CA_CERTS as given.
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorld, type World } from './world';

let w: World;
let inst: { id: string; path: string };
const CA = '/etc/ssl/certs/ca-certificates.crt';

beforeAll(async () => {
  w = await makeWorld();
  const c = await w.cli(['create', 'launcher', '--json']);
  expect(c.code, c.stderr).toBe(0);
  inst = c.json.instance;
});
afterAll(async () => {
  await w?.cleanup();
});

/** The command itself, or `node` on the same file. */
function run(args: string[], opts: { viaNode?: boolean; env?: Record<string, string>; input?: string; cwd?: string } = {}) {
  const env = { ...w.env, NODE_EXTRA_CA_CERTS: CA, ...opts.env };
  const [file, argv] = opts.viaNode ? ['node', [CLI, ...args]] : [CLI, args];
  return execa(file as string, argv as string[], { cwd: opts.cwd ?? inst.path, env, reject: false, input: opts.input ?? '' });
}

const probe =
  'printf "id=%s ca=%s api=%s pw=%s\\n" "$INSTANCE_ID" "$NODE_EXTRA_CA_CERTS" "$KTRDR_API_URL" "${KTRDR_DB_PASSWORD:+set}"; cat; exit 7';

describe('the bin', () => {
  it('is a plain node program', async () => {
    const text = await readFile(CLI, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env node');
    const a = await run(['--version']);
    const b = await run(['--version'], { viaNode: true });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('exec', () => {
  it('runs the command with the instance environment, NODE_EXTRA_CA_CERTS as given, our stdin, and its exit code', async () => {
    for (const viaNode of [false, true]) {
      const r = await run(['exec', '--', 'sh', '-c', probe], { viaNode, input: 'from-stdin\n' });
      expect(r.exitCode, r.stderr).toBe(7);
      expect(r.stdout).toMatch(new RegExp(`^id=${inst.id} ca=${CA} api=http://localhost:\\d+ pw=set\\n`));
      expect(r.stdout).toContain('from-stdin');
      expect(r.stderr).toBe('');
    }
  });

  it('passes arguments through verbatim (quotes, spaces, newlines, $, globs)', async () => {
    const args = ["it's", 'a b', '$HOME', '*', 'x\ny', '', '--json', '\\'];
    const r = await run(['exec', '--', 'node', '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(args);
  });

  it('a missing command exits 127, one that cannot run 126, each with one line', async () => {
    const missing = await run(['exec', '--', 'no-such-command-kts', 'x']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr.trim()).toBe('ktrdr-sandbox exec: command not found: no-such-command-kts');
    const script = join(w.root, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\necho RAN\n', { mode: 0o644 });
    const denied = await run(['exec', '--', script]);
    expect(denied.exitCode, denied.stderr).toBe(126);
    expect(denied.stdout).toBe('');
    expect(denied.stderr.trim()).toBe(`ktrdr-sandbox exec: permission denied: ${script}`);
  });

  it('a command killed by a signal exits 128 + its number', async () => {
    expect((await run(['exec', '--', 'sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
    expect((await run(['exec', '--', 'sh', '-c', 'kill -KILL $$'])).exitCode).toBe(137);
  });

  for (const [sig, code] of [
    ['SIGTERM', 42],
    ['SIGHUP', 43],
    ['SIGINT', 44],
  ] as const) {
    it(`passes ${sig} sent to ktrdr-sandbox on to the command (stdin not a terminal)`, async () => {
      const short = sig.slice(3);
      // bounded (~30 s): were the signal not passed on, the test fails instead of waiting on an orphan
      const script = `trap 'echo got-${short}; exit ${code}' ${short}; echo ready; i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done`;
      const child = run(['exec', '--', 'sh', '-c', script]);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the command never said ready')), 15_000);
        child.stdout!.on('data', (d: Buffer) => {
          if (String(d).includes('ready')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      child.kill(sig); // to ktrdr-sandbox (node), not to the command
      const r = await child;
      expect(r.stdout).toContain(`got-${short}`);
      expect(r.exitCode, r.stderr).toBe(code);
    });
  }

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
});
