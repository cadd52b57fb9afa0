// An instance on a real remote engine (a "remote host" container: Docker engine + sshd on 127.0.0.1), from a
// fresh registry: create --engine, up (source synced, image copied, gate through the forwarded localhost ports),
// an edit served after the next sync, run and status on the remote engine, the dashboard's API on it (snapshot,
// status, logs, restart), exec and evidence, destroy --force cleaning both sides.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteWorld, type RemoteHost, type RemoteWorld } from './remote-host';
import { startDashboard } from '../e2e/dashboard-process';
import { filesUnder, httpGet, type World } from './world';

let rw: RemoteWorld;
let world: World;
let remote: RemoteHost;
let id: string;
let dir: string;
let api: string;
const cli = (args: string[], timeoutMs = 600_000) => rw.cli(args, { timeoutMs, cwd: dir ?? world.repo });
const remoteProject = async () =>
  (await remote.docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).stdout.split('\n').filter(Boolean);
beforeAll(async () => {
  rw = await remoteWorld('engrem');
  ({ world, remote } = rw);
  // the lowest slot free now (other stacks on this shared machine come and go; a port taken here is exit 3)
  const c = await world.cli(['create', 'engr', '--engine', remote.context, '--json'], { env: remote.env });
  expect(c.code, c.stderr + c.stdout).toBe(0);
  id = c.json.instance.id;
  dir = c.json.instance.path;
  api = c.json.instance.links.find((l: { url: string }) => /:\d+/.test(l.url) && l.url.includes('/api')).url.replace(/\/api.*$/, '');
}, 180_000);

afterAll(() => rw?.close([['destroy', id, '--force']]));

describe('an instance on a remote engine', () => {
  it('up: the source synced, the image copied, compose on the remote engine, the gate passing through localhost', async () => {
    const t0 = Date.now();
    const r = await cli(['up', id, '--json', '--verbose']);
    expect(r.code, r.stderr.slice(-3000) + r.stdout.slice(-3000)).toBe(0);
    const ms = Date.now() - t0;
    const doc = JSON.parse(r.stdout.split('\n').filter((l) => l.startsWith('{"schema"'))[0] ?? r.stdout);
    expect(doc.gate.passed).toBe(true);
    const containers = await remoteProject();
    expect(containers.length).toBeGreaterThanOrEqual(5);
    // nothing of it on this engine
    expect((await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).stdout.trim()).toBe('');
    // the source is there, at the same path, without what git ignores
    const ls = await remote.docker(['run', '--rm', '-v', `${dir}:/src:ro`, 'debian:bookworm-slim', 'ls', '-a', '/src']).catch(() => null);
    expect(ls).toBeTruthy();
    const health = await httpGet(`${api}/api/v1/health`);
    expect(health.status).toBe(200);
    process.stdout.write(`[remote] first up in ${(ms / 1000).toFixed(1)} s\n`);
  }, 900_000);

  it('an edit here is served there after the next sync (up, nothing else changed: the sync is quick)', async () => {
    const before = JSON.parse((await httpGet(`${api}/api/v1/info`)).body);
    expect(before.message).not.toBe('edited on this machine');
    await writeFile(join(dir, 'backend', 'message.txt'), 'edited on this machine\n');
    const r = await cli(['up', id]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const info = JSON.parse((await httpGet(`${api}/api/v1/info`)).body);
    expect(info.message.trim()).toBe('edited on this machine');
    const again = await cli(['up', id]);
    expect(again.code).toBe(0);
    const sent = /(\d+) file\(s\) sent in (\d+) ms/.exec(again.stdout + again.stderr);
    expect(sent, again.stdout).toBeTruthy();
    expect(Number(sent![1])).toBe(0);
    expect(Number(sent![2])).toBeLessThan(5000); // ≤ 1 s on a quiet machine (the bench's figure); this one is shared
    process.stdout.write(`[remote] second up: sync of nothing changed in ${sent![2]} ms; whole up ${again.ms} ms\n`);
  }, 600_000);

  it('run and status act on the remote engine', async () => {
    const run = await cli(['run', '-i', id, 'backend', 'python3', '-c', 'import socket; print("ran-on", socket.gethostname())']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/ran-on/);
    const st = await cli(['status', id, '--json']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.json.instance.containers.total).toBeGreaterThanOrEqual(5);
    expect(st.json.services.find((s: { service: string }) => s.service === 'backend').state).toBe('running');
    expect(st.json.engine).toMatchObject({ name: remote.context, endpoint: `ssh://root@127.0.0.1:${remote.port}`, tunnel: 'up' });
    expect(st.json.engine.forwardedPorts).toContain(Number(new URL(api).port));
    const human = await cli(['status', id]);
    expect(human.stdout).toMatch(
      new RegExp(
        `Engine: +${remote.context} \\(ssh://root@127\\.0\\.0\\.1:${remote.port}\\) — ssh connection up, ports [\\d, ]+ forwarded`,
      ),
    );
  }, 300_000);

  it('the dashboard (its HTTP API) shows the remote instance and acts on it: snapshot, status, logs, restart', async () => {
    const dash = await startDashboard({ ...world, env: { ...world.env, ...remote.env } });
    const token = new URL(dash.url).searchParams.get('token')!;
    const call = async (channel: string, args: unknown[] = [], timeoutMs = 15_000) => {
      const r = await fetch(`http://127.0.0.1:${dash.port}/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'x-ktrdr-token': token, 'content-type': 'application/json' },
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(timeoutMs),
      });
      expect(r.status).toBe(200);
      const doc = (await r.json()) as { ok: boolean; value?: any; error?: unknown };
      expect(doc.ok, JSON.stringify(doc.error)).toBe(true);
      return doc.value;
    };
    try {
      const snap = await call('snapshot');
      const mine = snap.instances.find((i: { id: string }) => i.id === id);
      expect(mine).toMatchObject({ status: 'running', engineStatus: { name: remote.context, reachable: true } });
      const st = await call('status', [id]);
      expect(st.services.find((x: { service: string }) => x.service === 'backend').state).toBe('running');
      expect(st.engine).toMatchObject({ name: remote.context, tunnel: 'up' });
      const lines: string[] = await call('logs', [id, 'backend', { tail: 20 }]);
      expect(lines.length).toBeGreaterThan(0);
      // restart from the dashboard: down there, then up with its sync and forwards, gate through localhost
      const t0 = Date.now();
      const r = await call('restart', [id], 600_000);
      expect(r.gate?.passed, JSON.stringify(r.gate?.checks?.filter((c: { status: string }) => c.status !== 'passed'))).toBe(true);
      expect((await remoteProject()).length).toBeGreaterThanOrEqual(5);
      expect((await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).stdout.trim()).toBe('');
      expect((await httpGet(`${api}/api/v1/health`)).status).toBe(200);
      process.stdout.write(`[remote] restart from the dashboard in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } finally {
      await dash.stop();
    }
  }, 900_000);

  it('exec reaches it on localhost (the connection dropped first: exec brings it and the forwards back); evidence collects it there', async () => {
    const sshDir = join(world.home, '.ktrdr', 'sandbox', 'ssh');
    const ctl = (await filesUnder(sshDir)).find((f) => f.endsWith('.ctl'));
    expect(ctl, `no ControlMaster socket in ${sshDir}`).toBeTruthy();
    const exit = await execa('ssh', ['-O', 'exit', '-o', `ControlPath=${ctl}`, '-p', String(remote.port), 'root@127.0.0.1'], {
      env: { ...process.env, ...remote.env },
      reject: false,
    });
    expect(exit.exitCode, exit.stderr).toBe(0);
    await expect(httpGet(`${api}/api/v1/health`)).rejects.toBeTruthy(); // the forwards went with the connection
    const probe = 'fetch(process.env.KTRDR_API_URL + "/api/v1/health").then(async (r) => console.log("health", r.status, await r.text()))';
    const ex = await cli(['exec', '-i', id, '--', 'node', '-e', probe]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toMatch(/^health 200/m);
    const ev = await cli(['evidence', id, '--json', '--out', join(world.root, 'evidence-remote')]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.json.evidence.problems).toEqual([]);
    expect(ev.json.evidence.containers.total).toBeGreaterThanOrEqual(5);
    const files: string[] = ev.json.evidence.files;
    expect(files).toContain('logs/backend.log');
    expect((await readFile(join(ev.json.evidence.dir, 'logs', 'backend.log'), 'utf8')).length).toBeGreaterThan(0);
  }, 300_000);

  it('list spans both engines; the remote host stopped: answered within 2 s, its instance marked unreachable and kept; started again: up brings it and its forwards back', async () => {
    const local = await world.cli(['init', '--json'], { env: remote.env });
    expect(local.code, local.stderr).toBe(0);
    const localId = local.json.instance.id;
    const both = await cli(['list', '--json']);
    expect(both.code, both.stderr).toBe(0);
    const by = Object.fromEntries(both.json.instances.map((i: { id: string }) => [i.id, i]));
    expect(by[id]).toMatchObject({ status: 'running', engineStatus: { name: remote.context, reachable: true } });
    expect(by[localId].engineStatus).toBeUndefined();
    expect(by[localId].status).toBe('stopped');
    await remote.stop();
    const down = await cli(['list', '--json']);
    expect(down.code, down.stderr).toBe(0);
    const d = Object.fromEntries(down.json.instances.map((i: { id: string }) => [i.id, i]));
    expect(d[id].engineStatus).toMatchObject({ name: remote.context, reachable: false });
    expect(d[localId]).toBeDefined();
    expect(down.ms).toBeLessThan(3000); // the 2 s budget + node start-up, on a shared 2-core machine
    const human = await cli(['list']);
    expect(human.stdout).toMatch(new RegExp(`${id}\\s+\\d+\\s+engine unreachable`));
    expect(JSON.parse(await readFile(world.registryFile, 'utf8')).instances[id]).toBeDefined();
    process.stdout.write(`[remote] list with the remote host down: ${down.ms} ms; with it up: ${both.ms} ms\n`);
    await remote.start();
    const back = await cli(['up', id]);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect((await httpGet(`${api}/api/v1/health`)).status).toBe(200);
  }, 600_000);

  it('destroy --force removes its containers and volumes there, the synced source there, and the worktree here', async () => {
    const r = await cli(['destroy', id, '--force'], 300_000);
    expect(r.code, r.stderr).toBe(0);
    expect(await remoteProject()).toEqual([]);
    expect((await remote.docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${id}`])).stdout.trim()).toBe('');
    const there = await execa('ssh', ['-p', String(remote.port), 'root@127.0.0.1', 'test', '-e', dir], {
      env: { ...process.env, ...remote.env },
      reject: false,
    });
    expect(there.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(JSON.parse(await readFile(world.registryFile, 'utf8')).instances[id]).toBeUndefined();
  }, 300_000);
});
