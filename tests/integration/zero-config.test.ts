// Zero configuration, end to end against the real engine: every embedded example (a plain Compose project,
// no ktrdr-sandbox.yml) gives two instances that come up side by side with the gate passing, on disjoint
// ports, their links answering; `init --write-manifest` writes a manifest that validates and gives the same
// ports and checks. The examples' images are built by compose on the first `up` (then reused).
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { validateManifest } from '../../main/core/manifest-validate';
import { git, httpGet, makeWorld, ROOT, type World } from './world';

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.cleanup();
});

/** A world whose repository is examples/<name> instead of the KTRDR fixture. */
async function exampleWorld(example: string): Promise<World> {
  const w = await makeWorld(`zc${example}`);
  worlds.push(w);
  for (const e of await readdir(w.repo)) if (e !== '.git') await rm(join(w.repo, e), { recursive: true, force: true });
  await cp(join(ROOT, 'examples', example), w.repo, { recursive: true });
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', `examples/${example}`);
  return w;
}

const expected: Record<string, { ports: string[]; checks: string[]; links: string[] }> = {
  webapp: {
    ports: ['WEB_PORT', 'DB_PORT', 'REDIS_PORT'],
    checks: ['web-http:passed', 'cache-tcp:passed', 'containers:passed'],
    links: ['web'],
  },
  queue: { ports: ['QUEUE_PORT'], checks: ['containers:passed'], links: ['queue'] },
};

describe.each(Object.keys(expected))('examples/%s with zero configuration', (example) => {
  let w: World;
  const inst: any[] = [];

  it('derives a slot map whose 11 slots are pairwise distinct (ports --check)', async () => {
    w = await exampleWorld(example);
    expect(existsSync(join(w.repo, 'ktrdr-sandbox.yml'))).toBe(false);
    const r = await w.cli(['ports', '--check', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.source).toMatch(/^derived from compose\.ya?ml$/);
    expect(r.json.check.ok).toBe(true);
    expect(r.json.slots[0].ports.map((p: any) => p.env)).toEqual(expected[example]!.ports);
  });

  it('two instances up side by side: both gates pass, ports disjoint, links answer over 127.0.0.1', async () => {
    for (const name of ['a', 'b']) {
      const c = await w.cli(['create', name, '--json']);
      expect(c.code, c.stdout + c.stderr).toBe(0);
      inst.push(c.json.instance);
    }
    // .env.sandbox carries the derived port variables, so compose substitutes them
    const env = await readFile(join(inst[0].path, '.env.sandbox'), 'utf8');
    for (const p of inst[0].ports) expect(env).toMatch(new RegExp(`^${p.env}=${p.port}$`, 'm'));
    // the first `up` builds the example's image when it is missing; the second reuses it
    const ua = await w.cli(['up', '--json'], { cwd: inst[0].path });
    const ub = await w.cli(['up', '--json'], { cwd: inst[1].path });
    for (const u of [ua, ub]) {
      expect(u.code, u.stdout + u.stderr).toBe(0);
      expect(u.json.gate.passed).toBe(true);
      expect(u.json.gate.checks.map((c: any) => `${c.name}:${c.state}`)).toEqual(expect.arrayContaining(expected[example]!.checks));
    }
    const portsA = new Set(inst[0].ports.map((p: any) => p.port));
    expect(inst[1].ports.some((p: any) => portsA.has(p.port))).toBe(false);
    for (const u of [ua, ub]) {
      const links = u.json.instance.links;
      expect(links.map((l: any) => l.name)).toEqual(expected[example]!.links);
      for (const l of links) {
        const res = await httpGet(l.url.replace('//localhost:', '//127.0.0.1:'));
        expect(res.status, l.url).toBe(200);
      }
    }
    // each instance answers as itself (its own compose project)
    if (example === 'webapp') {
      for (const i of inst) {
        const web = i.ports.find((p: any) => p.env === 'WEB_PORT').port;
        expect(JSON.parse((await httpGet(`http://127.0.0.1:${web}/api`)).body).instance).toBe(i.id);
      }
    }
  });

  it('init --write-manifest: a commented manifest that validates and round-trips (same ports and checks)', async () => {
    const before = await w.cli(['ports', '--json']);
    const r = await w.cli(['init', '--write-manifest', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const text = await readFile(join(w.repo, 'ktrdr-sandbox.yml'), 'utf8');
    expect(text).toMatch(/^# ktrdr-sandbox\.yml — derived from/);
    const written = validateManifest(parse(text), 'ktrdr-sandbox.yml');
    const after = await w.cli(['ports', '--check', '--json']);
    expect(after.json.source).toBe(join(w.repo, 'ktrdr-sandbox.yml'));
    expect(after.json.slots).toEqual(before.json.slots);
    expect(after.json.check.ok).toBe(true);
    // the checks an instance runs with the written manifest are the derived ones
    const again = await w.cli(['manifest', 'init', '--stdout', '--force', '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(written).toEqual(again.json.manifest);
    // never over an existing file without --force
    const refused = await w.cli(['manifest', 'init', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.message).toMatch(/already exists/);
  });
});
