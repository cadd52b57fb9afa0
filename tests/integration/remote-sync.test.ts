// Sync while a remote instance runs, and NFS path maps (issue 13 item 2), on a real second engine reached over
// real ssh (tests/integration/remote-host.ts: Docker engine + sshd in a container, on 127.0.0.1):
// - after `up` there, a background watcher keeps the remote copy current: an edit here is served by the remote
//   stack through the forwarded localhost port within seconds, with no other command; `status --json` shows the
//   watcher; a dropped ssh connection comes back by itself with the forwarded ports (the watcher); `down` stops
//   it (no process left); `sync` once sends what changed meanwhile;
// - `create --path-map LOCAL=REMOTE`: the source is NOT synced; the stack's bind mounts read the "NFS" copy made
//   inside the remote host at REMOTE (a file only there is seen by the container), and destroy leaves it alone.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteWorld, type RemoteHost, type RemoteWorld } from './remote-host';
import { httpGet, type World } from './world';

let rw: RemoteWorld;
let world: World;
let remote: RemoteHost;
let id: string;
let dir: string;
let api: string;
const cli = (args: string[], timeoutMs = 600_000) => rw.cli(args, { timeoutMs });
const sshHost = (cmd: string[]) =>
  execa('ssh', ['-p', String(remote.port), 'root@127.0.0.1', ...cmd], { env: { ...process.env, ...remote.env }, reject: false });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const apiOf = (instance: { links: { url: string }[] }) =>
  instance.links.find((l) => /:\d+/.test(l.url) && l.url.includes('/api'))!.url.replace(/\/api.*$/, '');
async function message(): Promise<string | null> {
  try {
    const r = await httpGet(`${api}/api/v1/info`);
    return r.status === 200 ? String(JSON.parse(r.body).message).trim() : null;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  rw = await remoteWorld('kts-ws');
  ({ world, remote } = rw);
  const c = await world.cli(['create', 'sync', '--engine', remote.context, '--json'], { env: remote.env });
  expect(c.code, c.stderr + c.stdout).toBe(0);
  id = c.json.instance.id;
  dir = c.json.instance.path;
  api = apiOf(c.json.instance);
}, 180_000);

afterAll(() => rw?.close([id, `${id.replace(/--sync$/, '')}--nfs`].map((i) => ['destroy', i, '--force'])));

describe('a remote instance: its source kept in sync while it runs', () => {
  let pid: number;

  it('up starts the background watcher: status --json shows it watching, and its process runs', async () => {
    const r = await cli(['up', id]);
    expect(r.code, r.stderr.slice(-3000) + r.stdout.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/Source kept in sync while it runs \(watcher started, pid \d+/);
    // its first moments may be a sync (a change seen as it started, e.g. on a loaded machine): then watching
    let st = await cli(['status', id, '--json']);
    for (let i = 0; i < 40 && st.json?.sync?.state === 'syncing'; i++) {
      await new Promise((res) => setTimeout(res, 250));
      st = await cli(['status', id, '--json']);
    }
    expect(st.code, st.stderr).toBe(0);
    expect(st.json.sync).toMatchObject({ id, state: 'watching', alive: true });
    pid = st.json.sync.pid;
    expect(alive(pid)).toBe(true);
    expect(st.json.instance.sync.pid).toBe(pid);
    // detached: it leads its own session (closing the terminal that ran `up` does not reach it), outliving `up`
    expect((await execa('ps', ['-o', 'sid=', '-p', String(pid)])).stdout.trim()).toBe(String(pid));
    const human = await cli(['status', id]);
    expect(human.stdout).toMatch(/Sync: +watching, /);
    // list shows it too (agents read list --json)
    const ls = await cli(['list', '--json']);
    expect(ls.json.instances.find((i: { id: string }) => i.id === id).sync).toMatchObject({ id, pid, alive: true });
    expect((await cli(['list'])).stdout).toMatch(new RegExp(`${id} runs on engine .* · sync: (watching|syncing)`));
  }, 900_000);

  it('an edit here is served by the remote stack through localhost within seconds, with no other command', async () => {
    expect(await message()).not.toBe('synced while running');
    const t0 = Date.now();
    await writeFile(join(dir, 'backend', 'message.txt'), 'synced while running\n');
    let seen: string | null = null;
    while (Date.now() - t0 < 15_000 && seen !== 'synced while running') {
      await new Promise((r) => setTimeout(r, 100));
      seen = await message();
    }
    const ms = Date.now() - t0;
    expect(seen).toBe('synced while running');
    process.stdout.write(`[remote-sync] edit served by the remote stack after ${ms} ms\n`);
    expect(ms).toBeLessThan(10_000); // ~1 s on a quiet machine: 200 ms debounce + one rsync over the master
    // the watcher's state says what it sent
    const st = await cli(['status', id, '--json']);
    expect(st.json.sync.syncs).toBeGreaterThanOrEqual(1);
    expect(st.json.sync.lastSyncAt).toBeTruthy();
    // .git and .env.sandbox are never sent (rsync's excludes; the watcher does not even start a sync for them)
    expect((await sshHost(['test', '-e', join(dir, '.env.sandbox')])).exitCode).toBe(1);
  }, 120_000);

  it('the ssh connection dropped (its master killed): the watcher brings it and the forwarded ports back, no command run', async () => {
    expect((await httpGet(`${api}/api/v1/health`)).status).toBe(200);
    // the master carries the Docker socket and the slot's forwards; its command line names this world's home
    const killed = await execa('pkill', ['-f', `ControlPath=${world.home}/`], { reject: false });
    expect(killed.exitCode, 'no ssh master of this world was running').toBe(0);
    const t0 = Date.now();
    let status = 0;
    while (Date.now() - t0 < 30_000 && status !== 200) {
      await new Promise((r) => setTimeout(r, 250));
      status = await httpGet(`${api}/api/v1/health`)
        .then((r) => r.status)
        .catch(() => 0);
    }
    const ms = Date.now() - t0;
    expect(status, 'the API did not answer through localhost again within 30 s').toBe(200);
    process.stdout.write(`[remote-sync] links back ${ms} ms after the ssh connection was killed\n`);
    const st = await cli(['status', id, '--json']);
    expect(st.json.sync).toMatchObject({ state: 'watching', alive: true, reconnects: 1 });
    expect(st.json.engine).toMatchObject({ tunnel: 'up' });
  }, 120_000);

  it('down stops the watcher: no process left, no state; status shows none', async () => {
    const r = await cli(['down', id]);
    expect(r.code, r.stderr).toBe(0);
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 50));
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(world.home, '.ktrdr', 'sandbox', 'sync', `${id}.json`))).toBe(false);
    const ps = await execa('pgrep', ['-f', `sync ${id} --watch`], { reject: false });
    expect(ps.stdout.trim()).toBe('');
    const st = await cli(['status', id, '--json']);
    expect(st.json.sync).toBeNull();
  }, 300_000);

  it('sync (once) sends what changed while nothing watched', async () => {
    await writeFile(join(dir, 'backend', 'message.txt'), 'sent by sync once\n');
    const r = await cli(['sync', id, '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json).toMatchObject({ id, engine: remote.context });
    expect(r.json.files).toBeGreaterThanOrEqual(1);
    const there = await sshHost(['cat', join(dir, 'backend', 'message.txt')]);
    expect(there.stdout.trim()).toBe('sent by sync once');
    const local = await cli(['sync', '--json'], 60_000); // from the repository: not an instance
    expect(local.code).not.toBe(0);
  }, 120_000);
});

describe('a remote instance whose source is shared by NFS (path map)', () => {
  it('create --path-map records the map (checked over ssh); up syncs nothing, the container sees the NFS copy; destroy leaves it', async () => {
    const srcRoot = join(world.root, 'src'); // holds the repository and its worktrees
    const nfs = '/srv/kts-ws-nfs/src';
    // refused first: the remote side does not exist yet (one line, a hint)
    const missing = await cli(['create', 'nfs', '--engine', remote.context, '--path-map', `${srcRoot}=${nfs}`, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json.error.message).toBe(`--path-map: ${nfs} does not exist on ${remote.context} (ssh://root@127.0.0.1:${remote.port})`);
    expect((await sshHost(['mkdir', '-p', nfs])).exitCode).toBe(0);
    const c = await cli(['create', 'nfs', '--engine', remote.context, '--path-map', `${srcRoot}=${nfs}`, '--json']);
    expect(c.code, c.stderr + c.stdout).toBe(0);
    const nid: string = c.json.instance.id;
    const ndir: string = c.json.instance.path;
    const there = `${nfs}/${ndir.slice(srcRoot.length + 1)}`;
    const reg = JSON.parse(await (await import('node:fs/promises')).readFile(world.registryFile, 'utf8'));
    expect(reg.instances[nid].engine).toMatchObject({
      context: remote.context,
      source: { mode: 'path-map', remotePath: there, localPath: ndir, map: [{ local: srcRoot, remote: nfs }] },
    });
    // the "NFS share": the same tree on the remote host at the mapped path, plus a file that only exists there
    const stage = join(world.root, 'nfs-stage');
    await cp(ndir, stage, { recursive: true });
    await writeFile(join(stage, 'backend', 'message.txt'), 'served from the NFS copy\n');
    expect((await execa('docker', ['cp', stage, `${remote.container}:${there}`], { reject: false })).exitCode).toBe(0);
    const up = await cli(['up', nid, '--json']);
    expect(up.code, up.stderr.slice(-3000) + up.stdout.slice(-3000)).toBe(0);
    const steps = up.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; id?: string; state?: string });
    const ran = new Set(steps.filter((e) => e.event === 'step' && e.state === 'passed').map((e) => e.id));
    expect(ran.has('path-map')).toBe(true);
    expect(ran.has('sync')).toBe(false); // no rsync of the source
    expect(steps.some((e) => e.id === 'sync-watch')).toBe(false); // and no watcher
    // nothing was copied to the local path on the remote host; the stack reads the NFS copy
    expect((await sshHost(['test', '-e', ndir])).exitCode).toBe(1);
    const napi = apiOf(up.json.instance);
    const info = JSON.parse((await httpGet(`${napi}/api/v1/info`)).body);
    expect(info.message.trim()).toBe('served from the NFS copy');
    const st = await cli(['status', nid, '--json']);
    expect(st.json.sync).toBeUndefined();
    expect(existsSync(join(world.home, '.ktrdr', 'sandbox', 'sync', `${nid}.json`))).toBe(false);
    const d = await cli(['destroy', nid, '--force']);
    expect(d.code, d.stderr).toBe(0);
    expect((await sshHost(['test', '-f', `${there}/backend/message.txt`])).exitCode).toBe(0); // the share is not ours to remove
  }, 900_000);
});
