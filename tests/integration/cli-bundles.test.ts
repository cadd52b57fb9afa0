// The built CLI loads a command's code on demand: the first word picks one command module, and the commands
// agents run in loops (env, exec, list, status) load none of the heavy libraries, nor zod (the registry is read
// without it) nor node:crypto. Which files node loaded is recorded by a preload (--require) that writes
// require.cache and process.moduleLoadList on exit (the build is CommonJS), and each loaded chunk of dist/ is
// mapped back to its sources through dist/chunks.json, so this fails as soon as one of them is pulled in.
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorld, ROOT, type World } from './world';

const HEAVY = ['dockerode', 'docker-modem', 'execa', 'yaml', 'tar', 'ssh2', 'zod', 'commander'];
/** The command modules a run loaded. */
const commandModules = (l: Loaded): string[] => [...l.sources].filter((s) => s.startsWith('main/cli/commands/')).sort();
/**
 * The same, but the three with a start-up budget: each shares its chunk with the use-cases only it of the three
 * runs (vite.cli.config.ts), and another command importing one of those (snapshot lists instances) loads it too.
 */
const BUDGETED = ['main/cli/commands/env.ts', 'main/cli/commands/list.ts', 'main/cli/commands/status.ts'];
const ownCommands = (l: Loaded): string[] => commandModules(l).filter((s) => !BUDGETED.includes(s));

let w: World;
let inst: { id: string; path: string };
let hookDir: string;
/** The sources each chunk of dist/ holds, from the build's dist/chunks.json (vite.cli.config.ts). */
let chunkInputs: Map<string, string[]>;

beforeAll(async () => {
  const chunks = JSON.parse(await readFile(join(ROOT, 'dist', 'chunks.json'), 'utf8')) as Record<string, string[]>;
  chunkInputs = new Map(Object.entries(chunks).map(([file, sources]) => [join(ROOT, 'dist', file), sources]));
  w = await makeWorld();
  const c = await w.cli(['create', 'lazy', '--json']);
  expect(c.code, c.stderr).toBe(0);
  inst = c.json.instance;
  hookDir = await mkdtemp(join(tmpdir(), 'kts-hook-'));
  await writeFile(
    join(hookDir, 'record.cjs'),
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.KTS_LOADED_LOG, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n",
  );
});
afterAll(async () => {
  await w?.cleanup();
  if (hookDir) await rm(hookDir, { recursive: true, force: true });
});

interface Loaded {
  code: number;
  stdout: string;
  /** packages under node_modules whose code was loaded */
  packages: Set<string>;
  /** our own source files whose code was loaded */
  sources: Set<string>;
  /** node's own modules loaded (e.g. 'crypto', 'child_process') */
  builtins: Set<string>;
}

/** Run the CLI recording every module node loads. */
async function loaded(args: string[], cwd = inst.path): Promise<Loaded> {
  const log = join(hookDir, `${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  const r = await execa(CLI, args, {
    cwd,
    env: { ...w.env, KTS_LOADED_LOG: log, NODE_OPTIONS: `--require=${join(hookDir, 'record.cjs')}` },
    reject: false,
  });
  const packages = new Set<string>();
  const sources = new Set<string>();
  const rec = JSON.parse(await readFile(log, 'utf8')) as { files: string[]; builtins: string[] };
  expect(rec.files.some((f) => f.endsWith('/dist/cli.cjs'))).toBe(true); // the preload saw the CLI load
  for (const file of rec.files) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (pkg) packages.add(pkg[1]!);
    for (const s of chunkInputs.get(file) ?? []) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s);
      if (m) packages.add(m[1]!);
      else sources.add(s.replace(/^(\.\.\/)+/, ''));
    }
  }
  const builtins = new Set(rec.builtins.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)));
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), packages, sources, builtins };
}

describe('the build', () => {
  it('every chunk of dist/ compiles (the CommonJS conversion of the build once produced invalid code in a chunk only some commands load)', async () => {
    const chunks = (await readdir(join(ROOT, 'dist'))).filter((f) => f.endsWith('.cjs'));
    expect(chunks.length).toBeGreaterThan(20);
    for (const f of chunks) {
      const code = await readFile(join(ROOT, 'dist', f), 'utf8');
      expect(
        () => new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: f }),
        f,
      ).not.toThrow();
    }
  });
});

describe('commands load on demand', () => {
  it('env, exec, list and status load none of dockerode, execa, yaml, tar, zod, commander, cli-table3 (nor, but exec, node:crypto, child_process, dgram)', async () => {
    for (const args of [['env'], ['exec', '--', 'true'], ['list', '--json'], ['status', '--json']]) {
      const r = await loaded(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.sources.has('main/core/registry.ts'), `${args.join(' ')} read the registry`).toBe(true);
      for (const lib of HEAVY) expect(r.packages.has(lib), `${args.join(' ')} loaded ${lib}`).toBe(false);
      // exec may write (write-file-atomic needs node:crypto); the three the start-up budget names read only
      if (args[0] !== 'exec') expect(r.builtins.has('crypto'), `${args.join(' ')} loaded node:crypto`).toBe(false);
      // the command line is read by our own layer over node:util (commander required node:child_process and dgram
      // at start-up, for executable sub-commands we never had); only exec starts a process
      expect(r.sources.has('main/cli/args/parse.ts'), `${args.join(' ')} parsed its command line`).toBe(true);
      if (args[0] !== 'exec')
        for (const m of ['child_process', 'dgram']) expect(r.builtins.has(m), `${args.join(' ')} loaded node:${m}`).toBe(false);
    }
  });

  // The start-up budget (issue 12: list and status ≤ 2 × a bare node): neither loads what only a rare path
  // needs — the repair of an interrupted create/destroy (recovery and the
  // destroy steps), the compose-file parser (the models are cached), deriving a manifest, writing the override.
  it('list and status load only what they run', async () => {
    const rare = [
      'main/core/recovery.ts',
      'main/core/use-cases/destroy-steps.ts',
      'main/core/destroy-risk.ts',
      'main/core/compose-model-parse.ts',
      'main/core/derive-manifest.ts',
      'main/core/override/state.ts',
      'main/core/override/index.ts',
      'main/core/use-cases/shared-data.ts',
    ];
    await w.cli(['list', '--json']); // the compose models are cached by now
    const list = await loaded(['list', '--json']);
    const status = await loaded(['status', '--json']);
    expect([list.code, status.code]).toEqual([0, 0]);
    for (const src of rare) {
      expect(list.sources.has(src), `list --json loaded ${src}`).toBe(false);
      expect(status.sources.has(src), `status --json loaded ${src}`).toBe(false);
    }
    // nor what only another of the three runs (each compiles every byte it loads: vite.cli.config.ts), nor the
    // endpoint probes of a running instance (a stopped one sends none)
    const env = await loaded(['env']);
    expect(commandModules(list)).toEqual(['main/cli/commands/list.ts']);
    expect(commandModules(status)).toEqual(['main/cli/commands/status.ts']);
    expect(commandModules(env)).toEqual(['main/cli/commands/env.ts']);
    expect(list.sources.has('main/core/use-cases/list.ts')).toBe(true);
    expect(list.sources.has('main/core/use-cases/status.ts')).toBe(false);
    expect(list.sources.has('main/core/use-cases/shared-overlay.ts')).toBe(false);
    expect(status.sources.has('main/core/use-cases/status.ts')).toBe(true);
    expect(status.sources.has('main/core/use-cases/list.ts')).toBe(false);
    expect(status.sources.has('main/adapters/http.ts'), 'status of a stopped instance probed its endpoints').toBe(false);
    // env makes no Docker call: the engine client stays unloaded
    expect(env.sources.has('main/core/use-cases/instance-env.ts')).toBe(true);
    expect(env.sources.has('main/adapters/engine.ts')).toBe(false);
    expect(list.sources.has('main/adapters/engine.ts')).toBe(true);
    // the check sees them where they are loaded: destroy's module holds the repair, doctor parses compose files
    const destroy = await loaded(['destroy', '--help']);
    expect(destroy.sources.has('main/core/recovery.ts')).toBe(true);
    const doctor = await loaded(['doctor', '--json']);
    expect(doctor.sources.has('main/core/compose-model-parse.ts')).toBe(true);
  });

  it('a human `list` draws its table with nothing loaded for it; a cell beyond plain ASCII loads string-width', async () => {
    const plain = await loaded(['list']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^INSTANCE +SLOT +STATUS/m);
    expect(plain.sources.has('main/cli/table.ts')).toBe(true);
    for (const lib of ['cli-table3', 'string-width']) expect(plain.packages.has(lib), `list loaded ${lib}`).toBe(false);
    // a blacklisted slot's reason names what held its port, as the holder's process calls itself
    const good = await readFile(w.registryFile, 'utf8');
    try {
      const reg = JSON.parse(good) as { blacklist: Record<string, object> };
      reg.blacklist['9'] = { reason: 'port 8009 held by サーバー', at: new Date().toISOString() };
      await writeFile(w.registryFile, JSON.stringify(reg));
      const wide = await loaded(['slots']);
      expect(wide.code).toBe(0);
      expect(wide.packages.has('string-width')).toBe(true);
      expect(wide.packages.has('cli-table3')).toBe(false);
      // the column after REASON is none; the rows before it still line up under the head
      const lines = wide.stdout.split('\n');
      const at = lines[0]!.indexOf('REASON');
      expect(
        lines
          .find((l) => l.startsWith('9 '))!
          .slice(at)
          .trimEnd(),
      ).toBe('port 8009 held by サーバー');
    } finally {
      await writeFile(w.registryFile, good);
    }
  });

  it('the check sees zod when a registry file is malformed (zod names what is wrong)', async () => {
    const good = await readFile(w.registryFile, 'utf8');
    try {
      const reg = JSON.parse(good) as { instances: Record<string, { slot: unknown }> };
      reg.instances[inst.id]!.slot = 'one';
      await writeFile(w.registryFile, JSON.stringify(reg));
      const r = await loaded(['list', '--json']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/unexpected content at instances\.[^.]+\.slot/);
      expect(r.packages.has('zod')).toBe(true);
    } finally {
      await writeFile(w.registryFile, good);
    }
  });

  it('the check sees a heavy library when one loads (doctor reads the compose file with yaml)', async () => {
    const r = await loaded(['doctor', '--json']);
    expect(r.packages.has('yaml')).toBe(true);
  });

  it('a command loads its own module only; help loads every one and shows the same text', async () => {
    const own = await loaded(['env', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/Usage: ktrdr-sandbox env/);
    expect(commandModules(own)).toEqual(['main/cli/commands/env.ts']);
    const all = await loaded(['help', 'env']);
    expect(all.stdout).toBe(own.stdout);
    expect(all.sources.has('main/cli/commands/lifecycle.ts')).toBe(true);
    expect(all.sources.has('main/cli/commands/snapshot.ts')).toBe(true);
    const alias = await loaded(['ls', '--help']);
    expect(alias.stdout).toMatch(/Usage: ktrdr-sandbox list\|ls/);
    expect(commandModules(alias)).toEqual(['main/cli/commands/list.ts']);
    const snapshot = await loaded(['snapshot', '--help']);
    expect(ownCommands(snapshot)).toEqual(['main/cli/commands/snapshot.ts']);
  });

  it('every command of the full help answers from its own module (the loader table names each one)', async () => {
    const help = String((await execa(CLI, ['--help'], { env: w.env })).stdout);
    const names = [...help.matchAll(/^ {2}([a-z][a-z-]*)(?:\|[a-z]+)?\b/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const r = await loaded([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: ktrdr-sandbox ${name}`));
      // (its own, and those it imports a printer from: create prints a restore and a manifest like their commands)
      expect(ownCommands(r).length, `${name} loaded every command module: ${ownCommands(r).join(', ')}`).toBeLessThan(4);
    }
  });

  it('--help lists every command; a misspelt one is suggested', async () => {
    const help = await execa(CLI, ['--help'], { env: w.env, reject: false });
    for (const c of [
      'create',
      'up',
      'down',
      'destroy',
      'list',
      'status',
      'env',
      'exec',
      'evidence',
      'doctor',
      'dashboard',
      'snapshot',
      'engines',
      'demo',
    ]) {
      expect(help.stdout).toContain(`  ${c}`);
    }
    const typo = await execa(CLI, ['lsit'], { env: w.env, reject: false });
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toMatch(/unknown command 'lsit'.*Did you mean list\?/i);
  });
});
