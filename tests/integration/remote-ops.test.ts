// The rest of the lifecycle on a real remote engine (a "remote host" container: Docker engine + sshd on 127.0.0.1),
// from a fresh registry (issue 13): snapshot save of a remote instance's database volume (the archive comes here),
// a second remote instance created from it (its data is there), reset after a write, the live state service
// seeing a container stopped there through that engine's event stream (its poll set to 10 minutes), and
// destroy --all --force leaving nothing of ours on the remote engine.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../main/adapters';
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_ROLE } from '../../main/core/labels';
import { createStateService } from '../../main/ui-backend/state-service';
import { tunnelPaths } from '../../main/adapters/ssh-tunnel';
import type { Snapshot } from '../../main/shared/contract';
import { remoteWorld, type RemoteHost, type RemoteWorld } from './remote-host';
import { FIXTURE, git, type World } from './world';

let rw: RemoteWorld;
let world: World;
let remote: RemoteHost;
let a: { id: string; path: string };
let b: { id: string; path: string };

const cli = (args: string[], opts: { cwd?: string; timeoutMs?: number } = {}) => rw.cli(args, opts);
const lines = (s: string) => s.split('\n').filter(Boolean);
const onRemote = async (args: string[]) => {
  const r = await remote.docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} on the remote engine: ${r.stderr}`);
  return r.stdout;
};
const onLocal = async (args: string[]) => String((await execa('docker', args)).stdout);

async function remoteDb(project: string): Promise<string> {
  const id = lines(
    await onRemote([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      'label=com.docker.compose.service=db',
    ]),
  )[0];
  if (!id) throw new Error(`no running db container for ${project} on the remote engine`);
  return id;
}

async function sql(project: string, query: string): Promise<string> {
  return (await onRemote(['exec', await remoteDb(project), 'psql', '-U', 'ktrdr', '-d', 'ktrdr', '-tAc', query])).trim();
}

async function dbReady(project: string): Promise<void> {
  const t0 = Date.now();
  while ((await remote.docker(['exec', await remoteDb(project), 'pg_isready', '-q'])).code !== 0) {
    if (Date.now() - t0 > 60_000) throw new Error(`the database of ${project} did not come back within 60 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  rw = await remoteWorld('kts-ro', async (w) => {
    // the snapshot settings (postgres_data, its WAL trim, the migration head) as snapshot.test.ts uses them
    await copyFile(join(FIXTURE, '..', 'snapshot', 'manifest.json'), join(w.repo, 'ktrdr-sandbox.yml'));
    await git(w.repo, 'add', '-A');
    await git(w.repo, 'commit', '-q', '-m', 'snapshot manifest');
  });
  ({ world, remote } = rw);
}, 300_000);

afterAll(() => rw?.close([['destroy', '--all', '--force']]));

describe('snapshots, reset and destroy --all of instances on a remote engine', () => {
  it('snapshot save of a remote instance: its volume copied from the remote engine to this machine, the database started again', async () => {
    const c = await cli(['create', 'a', '--engine', remote.context, '--json']);
    expect(c.code, c.stderr + c.stdout).toBe(0);
    a = c.json.instance;
    const up = await cli(['up', a.id, '--json']);
    expect(up.code, up.stderr.slice(-3000) + up.stdout.slice(-3000)).toBe(0);
    await sql(a.id, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('marker-remote')");

    const save = await cli(['snapshot', 'save', 'ro1', '-i', a.id, '--json']);
    expect(save.code, save.stderr + save.stdout).toBe(0);
    expect(save.json.snapshot).toMatchObject({ name: 'ro1', method: 'stopped', source: { instance: a.id } });
    expect(save.json.snapshot.volumes[0]).toMatchObject({ key: 'postgres_data', services: ['db'] });
    expect(save.json.snapshot.volumes[0].bytes).toBeGreaterThan(1_000_000);
    expect(existsSync(join(world.home, '.ktrdr', 'sandbox', 'snapshots', 'ro1', 'postgres_data.tar'))).toBe(true);
    // nothing of it on this machine's engine; no helper left there
    expect(await onLocal(['volume', 'ls', '-q', '--filter', `label=${LABEL_INSTANCE}=${a.id}`])).toBe('');
    expect(await onRemote(['ps', '-aq', '--filter', `label=${LABEL_ROLE}=snapshot`])).toBe('');
    await dbReady(a.id);
    expect(await sql(a.id, 'SELECT v FROM marker')).toBe('marker-remote');
    // its stack is no longer needed running: room for the second one on the remote host
    const down = await cli(['down', a.id]);
    expect(down.code, down.stderr).toBe(0);
  }, 900_000);

  it('create --engine --snapshot: a second remote instance whose volume is filled there from the archive here; up finds the data', async () => {
    const c = await cli(['create', 'b', '--engine', remote.context, '--snapshot', 'ro1', '--json']);
    expect(c.code, c.stderr + c.stdout).toBe(0);
    b = c.json.instance;
    expect(c.json.restore).toMatchObject({ snapshot: 'ro1', instance: b.id });
    const label = await onRemote(['volume', 'inspect', '-f', `{{index .Labels "${LABEL_INSTANCE}"}}`, `${b.id}_postgres_data`]);
    expect(label.trim()).toBe(b.id);
    expect(await onLocal(['volume', 'ls', '-q', '--filter', `name=${b.id}_postgres_data`])).toBe('');
    const up = await cli(['up', '--json'], { cwd: b.path });
    expect(up.code, up.stderr.slice(-3000) + up.stdout.slice(-3000)).toBe(0);
    expect(up.json.gate.passed).toBe(true);
    expect(await sql(b.id, 'SELECT v FROM marker')).toBe('marker-remote');
  }, 900_000);

  it('reset after a write puts the remote volume back to the snapshot', async () => {
    await sql(b.id, "INSERT INTO marker VALUES ('written-by-b')");
    expect(await sql(b.id, 'SELECT count(*) FROM marker')).toBe('2');
    const reset = await cli(['reset', b.id, '--snapshot', 'ro1', '--json']);
    expect(reset.code, reset.stderr.slice(-3000) + reset.stdout.slice(-3000)).toBe(0);
    expect(reset.json.restore).toMatchObject({ snapshot: 'ro1', instance: b.id });
    expect(reset.json.gate.passed).toBe(true);
    expect(await sql(b.id, "SELECT string_agg(v, ',') FROM marker")).toBe('marker-remote');
  }, 600_000);

  it('the live state sees a container stopped on the remote engine through its event stream (the poll is 10 min away)', async () => {
    const deps = createDeps({ env: { ...process.env, ...world.env, ...remote.env } });
    const log: string[] = [];
    const svc = createStateService(deps, { remotePollMs: 600_000, watchFiles: false, log: { info: (m) => log.push(m) } });
    const statusOf = (s: Snapshot) => s.instances.find((i) => i.id === b.id)?.status;
    const waitFor = (pred: (s: Snapshot) => boolean, ms: number) =>
      new Promise<Snapshot>((resolve, reject) => {
        if (pred(svc.current())) return resolve(svc.current());
        const t = setTimeout(() => {
          off();
          reject(new Error(`timed out after ${ms} ms; log: ${log.join(' | ')}; last: ${JSON.stringify(svc.current()).slice(0, 800)}`));
        }, ms);
        const off = svc.onChange((s) => {
          if (!pred(s)) return;
          clearTimeout(t);
          off();
          resolve(s);
        });
      });
    try {
      await svc.start();
      expect(statusOf(svc.current())).toBe('running');
      const t0 = Date.now();
      while (!log.some((l) => l.startsWith(`engine ${remote.context}: event stream followed`))) {
        if (Date.now() - t0 > 30_000) throw new Error(`the remote stream was not followed within 30 s: ${log.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const backend = lines(
        await onRemote([
          'ps',
          '-q',
          '--filter',
          `label=com.docker.compose.project=${b.id}`,
          '--filter',
          'label=com.docker.compose.service=backend',
        ]),
      )[0]!;
      const stopped = Date.now();
      await onRemote(['kill', backend]);
      const seen = await waitFor((s) => statusOf(s) === 'partial', 5_000);
      const ms = Date.now() - stopped;
      expect(seen.instances.find((i) => i.id === b.id)!.containers.running).toBeGreaterThan(0);
      process.stdout.write(`[remote-ops] a container killed on the remote engine seen by the state service in ${ms} ms\n`);
      await onRemote(['start', backend]);
      await waitFor((s) => statusOf(s) === 'running', 10_000); // its start, from the stream too
    } finally {
      await svc.stop();
    }
  }, 120_000);

  it('destroy --all --force: nothing of ours is left on the remote engine (containers, volumes, networks), nor here', async () => {
    const owner = (await readFile(join(world.home, '.ktrdr', 'sandbox', 'owner-id'), 'utf8')).trim();
    const before = await onRemote(['volume', 'ls', '-q', '--filter', `label=${LABEL_OWNER}=${owner}`]);
    expect(lines(before).length).toBeGreaterThanOrEqual(2); // a's and b's databases
    // the engine's ssh connection (ControlMaster) is up before: the instances use it
    const control = tunnelPaths(join(world.home, '.ktrdr', 'sandbox'), remote.context).control;
    const masterUp = async () =>
      (
        await execa('ssh', ['-O', 'check', '-o', `ControlPath=${control}`, '127.0.0.1'], {
          reject: false,
          env: { ...process.env, ...remote.env },
        })
      ).exitCode === 0;
    expect(await masterUp()).toBe(true);
    const r = await cli(['destroy', '--all', '--force', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // no instance left on that engine: its ssh connection is ended too (ControlPersist would keep it for good)
    expect(await masterUp()).toBe(false);
    for (const kind of [
      ['ps', '-aq'],
      ['volume', 'ls', '-q'],
      ['network', 'ls', '-q'],
    ]) {
      for (const label of [`${LABEL_OWNER}=${owner}`, `${LABEL_INSTANCE}=${a.id}`, `${LABEL_INSTANCE}=${b.id}`]) {
        expect(await onRemote([...kind, '--filter', `label=${label}`]), `${kind.join(' ')} ${label}`).toBe('');
      }
    }
    for (const id of [a.id, b.id]) {
      expect(await onRemote(['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).toBe('');
      expect(await onLocal(['ps', '-aq', '--filter', `label=com.docker.compose.project=${id}`])).toBe('');
    }
    expect(JSON.parse(await readFile(world.registryFile, 'utf8')).instances).toEqual({});
  }, 600_000);
});
