// Hostile input, table-driven, across every command and the dashboard's create/destroy API: each case gets
// its documented exit code and error code, ONE line (plus a hint) and never a stack trace; with --json, stdout
// is one valid error document; a usage error is printed before any ✓ step; nothing is created or removed.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorld, type World } from './world';

let w: World;
let id: string;
let srcBefore: string[];
let registryBefore: string;

beforeAll(async () => {
  w = await makeWorld('input3');
  const c = await w.cli(['create', 'h', '--slot', '10', '--json']);
  expect(c.code, c.stderr + c.stdout).toBe(0);
  id = c.json.instance.id;
  srcBefore = (await readdir(join(w.root, 'src'))).sort();
  registryBefore = await readFile(w.registryFile, 'utf8');
});
afterAll(async () => {
  await w?.cleanup();
});

type Case = [args: string[], code: string, exit?: number];
const U = 'USAGE';
const long = 'x'.repeat(300);

// ID is replaced by the instance's id. Every case runs twice: with --json and without.
const CASES: Case[] = [
  // create: numbers
  [['create', 'n1', '--slot', 'abc'], U],
  [['create', 'n1', '--slot', ''], U],
  [['create', 'n1', '--slot', '1.5'], U],
  [['create', 'n1', '--slot', '1e1'], U],
  [['create', 'n1', '--slot', '0x3'], U],
  [['create', 'n1', '--slot', ' 3'], U],
  [['create', 'n1', '--slot', '-5'], U],
  [['create', 'n1', '--slot', '11'], U],
  [['create', 'n1', '--slot', '99999999999999999999'], U],
  // create: names
  [['create', 'UPPER'], U],
  [['create', 'a//b'], U],
  [['create', 'a.'], U],
  [['create', 'HEAD'], U],
  [['create', long], U],
  [['create', '../evil'], U],
  [['create', 'a b'], U],
  [['create', '$(touch pwned)'], U],
  [['create', '`id`'], U],
  [['create', 'a;rm -rf x'], U],
  [['create', 'a\nb'], U],
  [['create', 'é'], U],
  [['create', '.hidden'], U],
  [['create', 'a..b'], U],
  [['create', 'feat/x.lock'], U],
  [['create', 'a@{1}'], U],
  [['create', '-x'], U],
  [['create', ''], U],
  [['create', 'y'.repeat(60)], U], // a valid name, but the id would exceed 63 characters
  // create: branches
  [['create', 'b1', '--branch', '-x'], U],
  [['create', 'b1', '--branch', '--orphan'], U],
  [['create', 'b1', '--branch', 'no-such-branch'], U],
  [['create', 'b1', '--branch', 'a..b'], U],
  [['create', 'b1', '--branch', 'main', '--new-branch'], U],
  [['create'], U],
  [['create', 'b1', 'b2'], U],
  // init
  [['init', '--slot', 'x'], U],
  [['init', '--name', 'BAD ID'], U],
  [['init', '--name', '../x'], U],
  // up · gate · down · destroy
  [['up', 'ID', '--timeout', '0'], U],
  [['up', 'ID', '--timeout', '-5'], U],
  [['up', 'ID', '--timeout', 'soon'], U],
  [['up', 'ID', '--timeout', '1.5'], U],
  [['up', 'no-such-id'], 'NOT_FOUND'],
  [['up', '../../etc'], 'NOT_FOUND'],
  [['up', 'ID', '--bogus'], U],
  [['gate', 'ID', '--timeout', 'x'], U],
  [['gate', 'ID', '--timeout', '0'], U],
  [['down', 'no-such-id'], 'NOT_FOUND'],
  [['down', 'ID', '-x'], U],
  [['destroy', 'no-such-id'], 'NOT_FOUND'],
  [['destroy', 'ID', '--all'], U],
  [['destroy', '$(id)'], 'NOT_FOUND'],
  // logs · ports · slots
  [['logs', '-i', 'ID', '-n', 'x'], U],
  [['logs', '-i', 'ID', '-n', '-1'], U],
  [['logs', '-i', 'ID', '-n', '1e3'], U],
  [['logs', '-i', 'ID', '--tail', ''], U],
  [['logs', '-i', 'ID', '--since', 'garbage'], U],
  [['logs', '-i', 'no-such-id'], 'NOT_FOUND'],
  [['ports', '--slot', '11'], U],
  [['ports', '--slot', 'abc'], U],
  [['slot', 'move', 'abc', '-i', 'ID'], U],
  [['slot', 'move', '99', '-i', 'ID'], U],
  [['slot', 'move', '-i', 'ID'], U],
  [['slot', 'unblock', 'x'], U],
  [['slot', 'bogus'], U],
  // the rest
  [['status', 'no-such-id'], 'NOT_FOUND'],
  [['url', 'nosuch', '-i', 'ID'], U],
  [['dashboard', '--port', '70000'], U],
  [['dashboard', '--port', 'abc'], U],
  [['evidence', 'no-such-id'], 'NOT_FOUND'],
  [['doctor', 'no-such-id'], 'NOT_FOUND'],
  [['nosuchcommand'], U],
  [['list', '--bogus'], U],
  [['prune', '--orphans', 'extra'], U],
];

const STACK = /\n\s+at |node:internal|\.cjs:\d+|webpack|__awaiter/;

async function inBatches<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

describe('hostile input on the command line', () => {
  it(`${CASES.length} cases × (--json, human): documented exit codes, one line, no stack trace, nothing touched`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const problems: string[] = [];
    await inBatches(CASES, 4, async ([raw, code, exit = 1]) => {
      const args = raw.map((a) => (a === 'ID' ? id : a));
      const label = JSON.stringify(args);
      const j = await w.cli([...args, '--json'], { timeoutMs: 60_000 });
      if (j.code !== exit)
        problems.push(`${label} --json: exit ${j.code}, expected ${exit}: ${j.stdout.slice(0, 300)}${j.stderr.slice(0, 300)}`);
      if (!j.json) problems.push(`${label} --json: stdout is not JSON: ${j.stdout.slice(0, 300)}`);
      else {
        if (j.json.ok !== false || j.json.schema !== 'ktrdr-sandbox/error@1') problems.push(`${label} --json: not an error document`);
        if (j.json.error?.code !== code)
          problems.push(`${label} --json: code ${j.json.error?.code}, expected ${code}: ${j.json.error?.message}`);
        if (j.json.error?.exitCode !== exit) problems.push(`${label} --json: exitCode ${j.json.error?.exitCode}`);
        if (String(j.json.error?.message).includes('\n')) problems.push(`${label} --json: multi-line message`);
      }
      if (STACK.test(j.stdout + j.stderr)) problems.push(`${label} --json: stack trace`);
      const h = await w.cli(args, { timeoutMs: 60_000 });
      if (h.code !== exit) problems.push(`${label}: exit ${h.code}, expected ${exit}`);
      if (STACK.test(h.stdout + h.stderr)) problems.push(`${label}: stack trace: ${h.stderr.slice(0, 500)}`);
      const errLines = h.stderr.split('\n').filter((l) => l.trim() && !/^\s*[✓✗•!○]/.test(l));
      if (!/^Error: /.test(errLines[0] ?? '') || errLines.length > 2 || (errLines[1] !== undefined && !/^Hint: /.test(errLines[1]))) {
        problems.push(
          `${label}: expected "Error: …" and at most a "Hint: …" line on stderr, got ${JSON.stringify(h.stderr.slice(0, 400))}`,
        );
      }
      if (code === U && h.stdout.includes('✓')) problems.push(`${label}: a ✓ step was printed before the usage error`);
    });
    expect(problems).toEqual([]);
    // nothing was created, removed or rewritten
    expect((await readdir(join(w.root, 'src'))).sort()).toEqual(srcBefore);
    expect(await readFile(w.registryFile, 'utf8')).toBe(registryBefore);
    expect(existsSync(join(w.repo, 'pwned'))).toBe(false);
    expect(await execa('git', ['branch', '--list', 'no-such-branch', 'b1', 'n1'], { cwd: w.repo }).then((r) => r.stdout)).toBe('');
  });
});

describe('hostile input on the dashboard API', () => {
  let dash: ResultPromise | undefined;
  afterAll(() => {
    dash?.kill('SIGTERM');
  });

  it('create and destroy answer bad arguments with USAGE/NOT_FOUND envelopes; the server keeps serving', async () => {
    dash = execa(CLI, ['dashboard', '--port', '0', '--json', '--repo', w.repo], {
      cwd: w.repo,
      env: w.env,
      reject: false,
      stdin: 'ignore',
    });
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      dash!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      void dash!.then((r) => reject(new Error(`dashboard ended: ${String(r.stderr)}`)));
    });
    const { url } = JSON.parse(first) as { url: string };
    const u = new URL(url);
    const token = u.searchParams.get('token')!;
    const call = async (channel: string, body: string) => {
      const r = await fetch(`${u.origin}/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ktrdr-token': token },
        body,
      });
      return { status: r.status, text: await r.text() };
    };
    const api: Array<[channel: string, args: unknown, code: string]> = [
      ['create', [{ name: 'UPPER' }], U],
      ['create', [{ name: 'a//b' }], U],
      ['create', [{ name: long }], U],
      ['create', [{ name: 5 }], U],
      ['create', [{ name: '$(touch pwned)' }], U],
      ['create', [{ name: 'ok1', slot: 'abc' }], U],
      ['create', [{ name: 'ok1', slot: 1.5 }], U],
      ['create', [{ name: 'ok1', slot: -1 }], U],
      ['create', [{ name: 'ok1', slot: 11 }], U],
      ['create', [{ name: 'ok1', slot: '1e1' }], U],
      ['create', [{ name: 'ok1', branch: '-x' }], U],
      ['create', [{ name: 'ok1', branch: 'no-such-branch' }], U],
      ['create', [{ name: 'ok1', branch: 'main', newBranch: 'yes' }], U],
      ['create', [null], U],
      ['create', ['string'], U],
      ['create', [[]], U],
      ['destroy', ['no-such-id'], 'NOT_FOUND'],
      ['destroy', [''], U],
      ['destroy', [123], U],
      ['destroy', ['../x'], 'NOT_FOUND'],
      ['destroy', [id, { force: 'yes' }], U],
      ['destroy', [id, 'notobject'], U],
      ['logs', [id, 'backend', { tail: -1 }], U],
      ['logs', [id, 'backend', { tail: '1e3' }], U],
      ['up', [id, { build: 'yes' }], U],
    ];
    const problems: string[] = [];
    for (const [channel, args, code] of api) {
      const r = await call(channel, JSON.stringify(args));
      let body: any;
      try {
        body = JSON.parse(r.text);
      } catch {
        problems.push(`${channel} ${JSON.stringify(args).slice(0, 80)}: not JSON: ${r.text.slice(0, 200)}`);
        continue;
      }
      if (body.ok !== false || body.error?.code !== code || body.error?.exitCode !== 1)
        problems.push(`${channel} ${JSON.stringify(args).slice(0, 80)}: ${r.text.slice(0, 300)}`);
      if (STACK.test(r.text)) problems.push(`${channel}: stack trace`);
    }
    for (const body of ['{not json', '{"name":"x"}', '"x"']) {
      const r = await call('create', body);
      if (r.status !== 400 || JSON.parse(r.text).error?.code !== U)
        problems.push(`create body ${body}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    // still serving, and nothing was created or removed
    const snap = JSON.parse((await call('snapshot', '[]')).text);
    expect(snap.ok).toBe(true);
    expect((await readdir(join(w.root, 'src'))).sort()).toEqual(srcBefore);
    expect(existsSync(join(w.repo, 'pwned'))).toBe(false);
    expect(Object.keys(JSON.parse(await readFile(w.registryFile, 'utf8')).instances)).toEqual([id]);
  });
});
