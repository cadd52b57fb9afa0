// The agent loop of issue 3, for real: two simulated agents in parallel, each create → up → run e2e-tests →
// evidence → destroy, never sharing a slot or port, leaving nothing behind; plus the failure paths an agent
// must be able to read (failing E2E, failing migration, a database volume with another password).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, git, makeWorld, projectResources, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});
afterAll(async () => {
  await w?.cleanup();
});

async function agent(name: string) {
  const log: string[] = [];
  const c = await w.cli(['create', name, '--json']);
  log.push(`create ${c.code}`);
  expect(c.code, c.stderr + c.stdout).toBe(0);
  const inst = c.json.instance;
  const up = await w.cli(['up', '--json'], { cwd: inst.path });
  expect(up.code, up.stdout + up.stderr).toBe(0);
  expect(up.json.gate.passed).toBe(true);
  const run = await w.cli(['run', 'e2e-tests'], { cwd: inst.path });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  // a command after `--`, as agents write it (the `--` separates: it is not the command)
  const cmd = await w.cli(['run', 'backend', '--', 'sh', '-c', 'echo "ran $((6 * 7))"; exit 3'], { cwd: inst.path });
  expect(cmd.code, cmd.stdout + cmd.stderr).toBe(3);
  expect(cmd.stdout).toMatch(/^ran 42$/m);
  const exec = await w.cli(
    ['exec', '--', 'sh', '-c', 'test "$KTRDR_API_URL" = "http://localhost:$KTRDR_API_PORT" && echo "$INSTANCE_ID"'],
    { cwd: join(inst.path, 'backend') },
  );
  expect(exec.code, exec.stderr).toBe(0);
  expect(exec.stdout.trim()).toBe(inst.id);
  const ev = await w.cli(['evidence', '--json'], { cwd: inst.path });
  expect(ev.code, ev.stdout + ev.stderr).toBe(0);
  const secret = (await readFile(join(w.home, '.ktrdr', 'sandbox', 'secrets', `${inst.id}.env`), 'utf8')).match(
    /KTRDR_DB_PASSWORD=(.*)/,
  )![1]!;
  const evidence = { ...ev.json, secret };
  const files = await filesUnder(ev.json.evidence.dir);
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) expect(await readFile(f, 'utf8'), f).not.toContain(secret);
  expect(existsSync(ev.json.evidence.tarball)).toBe(true);
  const summary = await readFile(join(ev.json.evidence.dir, 'SUMMARY.md'), 'utf8');
  expect(summary).toContain('PASSED');
  const d = await w.cli(['destroy', '--force', '--json'], { cwd: inst.path });
  expect(d.code, d.stdout + d.stderr).toBe(0);
  return { inst, evidence };
}

describe('agent loop', () => {
  it('two agents in parallel: create → up → run e2e → evidence → destroy, nothing shared, nothing left', async () => {
    const [a, b] = await Promise.all([agent('agent-a'), agent('agent-b')]);
    expect(a.inst.slot).not.toBe(b.inst.slot);
    const pa = a.inst.ports.map((p: any) => p.port);
    expect(b.inst.ports.map((p: any) => p.port).filter((p: number) => pa.includes(p))).toEqual([]);
    expect(a.evidence.secret).not.toBe(b.evidence.secret);
    for (const x of [a, b]) {
      expect(await projectResources(x.inst.id)).toEqual({ containers: [], volumes: [], networks: [] });
      expect(existsSync(x.inst.path)).toBe(false);
    }
    expect(await git(w.repo, 'worktree', 'list')).not.toMatch(/agent-/);
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(reg.instances).toEqual({});
  });

  it('a failing E2E service makes run exit non-zero and the evidence shows the failing output', async () => {
    const c = await w.cli(['create', 'fails', '--json']);
    const inst = c.json.instance;
    const up = await w.cli(['up', '--json'], { cwd: inst.path });
    expect(up.code, up.stdout).toBe(0);
    await writeFile(join(inst.path, 'e2e', 'FAIL'), 'expected 5 workers, got 4\n');
    const run = await w.cli(['run', 'e2e-tests'], { cwd: inst.path });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('expected 5 workers, got 4');
    const ev = await w.cli(['evidence', '--json'], { cwd: inst.path });
    expect(ev.code).toBe(0);
    const lastRun = join(ev.json.evidence.dir, 'last-run.log');
    expect(existsSync(lastRun)).toBe(true);
    expect(await readFile(lastRun, 'utf8')).toContain('expected 5 workers, got 4');
  });

  it('a failing migration fails the gate (exit 2) with the migration output', async () => {
    const inst = (await w.cli(['list', '--json'])).json.instances.find((i: any) => i.id === 'ktrdr--fails');
    await writeFile(join(inst.path, 'migrations', '002_broken.sql'), 'ALTER TABLE no_such_table ADD COLUMN x int;\n');
    const g = await w.cli(['gate', '--json', '--timeout', '60'], { cwd: inst.path });
    expect(g.code, g.stdout).toBe(2);
    const m = g.json.gate.checks.find((c: any) => c.name === 'migrations');
    expect(m.state).toBe('failed');
    expect(JSON.stringify(m)).toContain('no_such_table');
  });

  it('a database volume that rejects the current password fails the gate and names the fix', async () => {
    const inst = (await w.cli(['list', '--json'])).json.instances.find((i: any) => i.id === 'ktrdr--fails');
    await execa('rm', ['-f', join(inst.path, 'migrations', '002_broken.sql')]);
    expect((await w.cli(['down'], { cwd: inst.path })).code).toBe(0);
    const secretFile = join(w.home, '.ktrdr', 'sandbox', 'secrets', `${inst.id}.env`);
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    await writeFile(secretFile, 'KTRDR_DB_PASSWORD=a-different-password\n', { mode: 0o600 });
    const up = await w.cli(['up', '--timeout', '40'], { cwd: inst.path });
    expect(up.code, up.stdout).toBe(2);
    expect(up.stdout).toContain('down -v');
    expect(up.stdout).toMatch(/password/i);
    const reset = await w.cli(['down', '-v'], { cwd: inst.path });
    expect(reset.code).toBe(0);
    const up2 = await w.cli(['up', '--json'], { cwd: inst.path });
    expect(up2.code, up2.stdout).toBe(0);
  });

  it('a secrets command that fails stops up with a clear error (no insecure fallback)', async () => {
    const inst = (await w.cli(['list', '--json'])).json.instances.find((i: any) => i.id === 'ktrdr--fails');
    const manifest = (await import('yaml')).stringify({
      version: 1,
      compose: { files: ['docker-compose.sandbox.yml'] },
      ports: [{ name: 'api', env: 'KTRDR_API_PORT', slot0: 8000, base: 8000, step: 1 }],
      secrets: { generate: ['KTRDR_DB_PASSWORD'], command: 'echo "vault is locked" >&2; exit 7' },
    });
    await writeFile(join(inst.path, 'ktrdr-sandbox.yml'), manifest);
    const up = await w.cli(['up', '--no-wait'], { cwd: inst.path });
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('secrets command failed (exit 7)');
    expect(up.stderr).toContain('vault is locked');
  });
});
