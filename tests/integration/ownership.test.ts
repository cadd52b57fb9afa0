// Ownership (issue 9 item 2, 7): two sandbox homes (two registries) on one engine. Every object our stacks
// start carries the instance and the registry identity (through the generated override, the user's compose
// file untouched); neither home's `list` hints, `prune` or dashboard ever offers the other's instances; a
// container of another compose project holding a slot port makes the slot "held", never blacklisted.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, git, makeWorld, removeProject, type World } from './world';

const BASE = 23480; // slot N → 23480+N (kept away from the KTRDR preset's ports)
const COMPOSE = `services:
  web:
    image: ktrdr-sandbox-fixture:1
    command: ["python3", "-m", "http.server", "8080"]
    stop_signal: SIGKILL
    ports:
      - "127.0.0.1:\${OVR_WEB_PORT:-${BASE}}:8080"
    volumes:
      - cache:/cache
volumes:
  cache:
`;
const MANIFEST = `version: 1
compose:
  files: [compose.yml]
ports:
  - { name: web, env: OVR_WEB_PORT, slot0: ${BASE}, base: ${BASE}, step: 1, service: web }
gate:
  timeout: 60
`;

async function tinyWorld(name: string): Promise<World> {
  const w = await makeWorld(name);
  await writeFile(join(w.repo, 'compose.yml'), COMPOSE);
  await writeFile(join(w.repo, 'ktrdr-sandbox.yml'), MANIFEST);
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', 'tiny stack');
  return w;
}

const sandboxHome = (w: World) => join(w.home, '.ktrdr', 'sandbox');
const ownerOf = async (w: World) => (await readFile(join(sandboxHome(w), 'owner-id'), 'utf8')).trim();
async function labels(kind: 'container' | 'network' | 'volume', filter: string): Promise<Record<string, string>[]> {
  const ls = kind === 'container' ? ['ps', '-aq'] : [kind, 'ls', '-q'];
  const ids = String((await execa('docker', [...ls, '--filter', filter])).stdout)
    .split('\n')
    .filter(Boolean);
  return Promise.all(
    ids.map(
      async (id) =>
        JSON.parse(
          String(
            (
              await execa('docker', [
                kind === 'container' ? 'inspect' : kind,
                ...(kind === 'container' ? [] : ['inspect']),
                '-f',
                '{{json .' + (kind === 'container' ? 'Config.Labels' : 'Labels') + '}}',
                id,
              ])
            ).stdout,
          ),
        ) ?? {},
    ),
  );
}

let a: World;
let b: World;
let idA: string;
let idB: string;
const foreign = `ovrforeign-${process.pid}`;
const intruder = `ovr-intruder-${process.pid}`;

beforeAll(async () => {
  [a, b] = await Promise.all([tinyWorld('ovr-a'), tinyWorld('ovr-b')]);
});
afterAll(async () => {
  await execa('docker', ['rm', '-f', foreign, intruder], { reject: false });
  await Promise.all([a?.cleanup(), b?.cleanup()]);
  for (const p of [idA, idB]) if (p) await removeProject(p);
});

describe('ownership: two registries on one engine', () => {
  it('labels every container, network and volume with the instance and its registry; the repo is untouched', async () => {
    const ca = await a.cli(['create', 'one', '--json']);
    expect(ca.code, ca.stderr).toBe(0);
    idA = ca.json.instance.id;
    const ua = await a.cli(['up', idA, '--json', '--timeout', '60']);
    expect(ua.code, ua.stderr + ua.stdout).toBe(0);
    expect(ua.json.gate.checks.map((c: { name: string }) => c.name)).toContain('isolation');
    // B's slot 1 port is published by A's container: B's create skips it without blacklisting it
    const cb = await b.cli(['create', 'one', '--json']);
    expect(cb.code, cb.stderr).toBe(0);
    idB = cb.json.instance.id;
    expect(cb.json.instance.slot).toBe(2);
    expect(JSON.parse(await readFile(b.registryFile, 'utf8')).blacklist).toEqual({});
    const ub = await b.cli(['up', idB, '--json', '--timeout', '60']);
    expect(ub.code, ub.stderr + ub.stdout).toBe(0);

    const [ownerA, ownerB] = [await ownerOf(a), await ownerOf(b)];
    expect(ownerA).not.toBe(ownerB);
    for (const [w, id, owner] of [
      [a, idA, ownerA],
      [b, idB, ownerB],
    ] as const) {
      const f = `label=com.docker.compose.project=${id}`;
      for (const kind of ['container', 'network', 'volume'] as const) {
        const ls = await labels(kind, f);
        expect(ls.length, `${kind}s of ${id}`).toBeGreaterThan(0);
        for (const l of ls) {
          expect(l['dev.ktrdr-sandbox.instance']).toBe(id);
          expect(l['dev.ktrdr-sandbox.owner']).toBe(owner);
        }
      }
      const override = join(sandboxHome(w), 'instances', id, 'compose.override.yml');
      expect(existsSync(override)).toBe(true);
      const path = join(w.root, 'src', `${w === a ? 'ovr-a' : 'ovr-b'}--one`);
      expect(await git(path, 'status', '--porcelain')).toBe('');
      expect(await readFile(join(path, 'compose.yml'), 'utf8')).toBe(COMPOSE);
    }
  }, 240_000);

  it("neither registry's list, prune or dashboard offers the other's instances", async () => {
    // make each instance an orphan of its own registry (its entry forgotten, its containers left running)
    for (const w of [a, b]) {
      const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
      reg.instances = {};
      await writeFile(w.registryFile, JSON.stringify(reg));
    }
    const la = await a.cli(['list', '--json']);
    const lb = await b.cli(['list', '--json']);
    expect(la.json.orphans.map((o: { project: string }) => o.project)).toEqual([idA]);
    expect(lb.json.orphans.map((o: { project: string }) => o.project)).toEqual([idB]);
    expect(JSON.stringify(la.json)).not.toContain(idB);
    expect(JSON.stringify(lb.json)).not.toContain(idA);

    // --json without --yes: a dry run listing only our own
    const dry = await a.cli(['prune', '--orphans', '--volumes', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json.dryRun).toBe(true);
    expect(dry.json.targets.map((t: { project: string }) => t.project)).toEqual([idA]);
    expect(dry.json.targets[0]).toMatchObject({ containers: 1, volumes: 1, unlabelled: 0 });
    expect((await labels('container', `label=com.docker.compose.project=${idA}`)).length).toBe(1);
    // non-interactive without --yes: shows, removes nothing
    const plain = await a.cli(['prune', '--orphans']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('dry run');
    expect(plain.stdout).toContain(idA);
    expect(plain.stdout).not.toContain(idB);

    // the dashboard of B (its token from the printed URL) never lists A's project
    const dash = execa(CLI, ['dashboard', '--port', '0'], { cwd: b.repo, env: { ...b.env }, reject: false, stdin: 'ignore' });
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let text = '';
        const t = setTimeout(() => reject(new Error(`no dashboard URL: ${text}`)), 30_000);
        dash.stdout!.on('data', (c: Buffer) => {
          text += c.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+)/.exec(text);
          if (m) {
            clearTimeout(t);
            resolve(new URL(m[1]!));
          }
        });
      });
      const token = url.searchParams.get('token')!;
      let snap: { orphans: { project: string }[] } | undefined;
      for (let i = 0; i < 40; i++) {
        const r = await fetch(new URL('/api/invoke/snapshot', url), {
          method: 'POST',
          headers: { 'x-ktrdr-token': token, 'content-type': 'application/json', origin: url.origin },
          body: '[]',
        });
        const body = (await r.json()) as { ok: boolean; value?: typeof snap; data?: typeof snap };
        snap = body.value ?? body.data ?? (body as unknown as typeof snap);
        if (snap?.orphans?.length) break;
        await new Promise((r2) => setTimeout(r2, 250));
      }
      expect(snap!.orphans.map((o) => o.project)).toEqual([idB]);
      expect(JSON.stringify(snap)).not.toContain(idA);
    } finally {
      dash.kill('SIGTERM');
      await dash;
    }

    // B removes its own orphan, volumes included; A's stack is untouched
    const rb = await b.cli(['prune', '--orphans', '--volumes', '--yes', '--json']);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.json.removedProjects).toEqual([idB]);
    expect((await labels('container', `label=com.docker.compose.project=${idB}`)).length).toBe(0);
    expect((await labels('volume', `label=com.docker.compose.project=${idB}`)).length).toBe(0);
    expect((await labels('container', `label=com.docker.compose.project=${idA}`)).length).toBe(1);
    expect((await labels('volume', `label=com.docker.compose.project=${idA}`)).length).toBe(1);
    // at a terminal it shows the plan and asks: "n" keeps everything, "y" removes (without --volumes: not the volume)
    const tty = (answer: string) =>
      execa('script', ['-qec', `${CLI} prune --orphans`, '/dev/null'], {
        cwd: a.repo,
        env: { ...a.env },
        input: answer,
        reject: false,
        timeout: 60_000,
      });
    const no = await tty('n\n');
    expect(no.stdout).toContain('prune would remove:');
    expect(no.stdout).toContain(`unregistered project "${idA}": 1 container(s), 1 network(s) — 1 volume(s) kept`);
    expect(no.stdout).toContain('Remove these? [y/N]');
    expect(no.stdout).toContain('Nothing removed.');
    expect((await labels('container', `label=com.docker.compose.project=${idA}`)).length).toBe(1);
    const yes = await tty('y\n');
    expect(yes.stdout, yes.stdout).toContain(`Removed unregistered project "${idA}"`);
    expect((await labels('container', `label=com.docker.compose.project=${idA}`)).length).toBe(0);
    expect((await labels('volume', `label=com.docker.compose.project=${idA}`)).length).toBe(1);
    await removeProject(idA);
  }, 180_000);

  it("destroy's removal by label takes only what carries our labels, and says what it left", async () => {
    const c = await a.cli(['create', 'gone', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const id = c.json.instance.id;
    expect((await a.cli(['up', id, '--no-wait', '--json'])).code).toBe(0);
    // an object of the same compose project name that we did not start (another tool, another user)
    await execa('docker', [
      'run',
      '-d',
      '--name',
      intruder,
      '--label',
      `com.docker.compose.project=${id}`,
      'ktrdr-sandbox-fixture:1',
      'sleep',
      '300',
    ]);
    await rm(c.json.instance.path, { recursive: true, force: true }); // by hand: no compose down possible now
    const d = await a.cli(['destroy', id, '--force', '--json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stderr).toContain('left alone');
    const left = String((await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).stdout)
      .split('\n')
      .filter(Boolean);
    expect(left).toHaveLength(1);
    expect(String((await execa('docker', ['inspect', '-f', '{{.Name}}', left[0]!])).stdout).trim()).toBe(`/${intruder}`);
    expect((await labels('volume', `label=com.docker.compose.project=${id}`)).length).toBe(0);
    await execa('docker', ['rm', '-f', intruder]);
  }, 120_000);

  it('a container of another compose project on a slot port makes the slot held, never blacklisted', async () => {
    await execa('docker', [
      'run',
      '-d',
      '--name',
      foreign,
      '--label',
      `com.docker.compose.project=${foreign}`,
      '-p',
      `127.0.0.1:${BASE + 3}:8080`,
      'ktrdr-sandbox-fixture:1',
      'python3',
      '-m',
      'http.server',
      '8080',
    ]);
    const r = await a.cli(['create', 'held', '--slot', '3', '--json']);
    expect(r.code, r.stdout).toBe(3);
    expect(r.json.error.message).toContain(foreign);
    expect(JSON.parse(await readFile(a.registryFile, 'utf8')).blacklist).toEqual({});
    const slots = await a.cli(['slots', '--json']);
    const s3 = slots.json.slots.find((s: { slot: number }) => s.slot === 3);
    expect(s3.state).toBe('held');
    expect(s3.reason).toContain(foreign);
    await execa('docker', ['rm', '-f', foreign]);
    const again = await a.cli(['slots', '--json']);
    expect(again.json.slots.find((s: { slot: number }) => s.slot === 3).state).toBe('free');
    const ok = await a.cli(['create', 'held', '--slot', '3', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
  }, 120_000);
});
