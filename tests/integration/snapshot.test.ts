// Issue 14 for real: seed an instance through the gate's seed step, snapshot its database, start another
// instance from the snapshot (its gate finds nothing to migrate or seed), reset it after writes, refuse a
// snapshot of other compose files, save while the database is being written, survive destroy, free space.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_INSTANCE, LABEL_ROLE } from '../../main/core/labels';
import { SEED_SKIPPED } from '../../main/core/seed';
import { FIXTURE, git, makeWorld, serviceContainer, type World } from './world';

let w: World;
let a: { id: string; path: string };
let b: { id: string; path: string };

const snapshotsDir = () => join(w.home, '.ktrdr', 'sandbox', 'snapshots');

async function dbContainer(project: string): Promise<string> {
  const id = await serviceContainer(project, 'db');
  if (!id) throw new Error(`no running db container for ${project}`);
  return id;
}

async function sql(project: string, query: string): Promise<string> {
  const r = await execa('docker', ['exec', await dbContainer(project), 'psql', '-U', 'ktrdr', '-d', 'ktrdr', '-tAc', query]);
  return String(r.stdout).trim();
}

/** save returns once the database container runs again, not once it accepts connections. */
async function dbReady(project: string): Promise<void> {
  const t0 = Date.now();
  while ((await execa('docker', ['exec', await dbContainer(project), 'pg_isready', '-q'], { reject: false })).exitCode !== 0) {
    if (Date.now() - t0 > 60_000) throw new Error(`the database of ${project} did not come back within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Database log lines that mean the data directory was not shut down cleanly (a torn or crash copy). */
const RECOVERY = /not properly shut down|automatic recovery|database system was interrupted/;

async function ourHelpers(instance: string): Promise<string[]> {
  const r = await execa('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=${LABEL_ROLE}=snapshot`,
    '--filter',
    `label=${LABEL_INSTANCE}=${instance}`,
  ]);
  return String(r.stdout).split('\n').filter(Boolean);
}

beforeAll(async () => {
  w = await makeWorld('snap');
  // The fixture stack with a seed step (backend/seed.py) and a migration head command: the KTRDR preset plus
  // snapshot settings, as a repository would write them in ktrdr-sandbox.yml (JSON is YAML).
  await copyFile(join(FIXTURE, '..', 'snapshot', 'manifest.json'), join(w.repo, 'ktrdr-sandbox.yml'));
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', 'snapshot manifest');
});
afterAll(async () => {
  await w?.cleanup();
});

describe('volume snapshots', () => {
  it('seed → save → create B from it (nothing to migrate or seed) → write → reset back to the marker', async () => {
    const ca = await w.cli(['create', 'a', '--json']);
    expect(ca.code, ca.stdout + ca.stderr).toBe(0);
    a = ca.json.instance;
    const upA = await w.cli(['up', '--json'], { cwd: a.path });
    expect(upA.code, upA.stdout + upA.stderr).toBe(0);
    const seedA = upA.json.gate.checks.find((c: any) => c.name === 'seed');
    expect(seedA.state).toBe('passed');
    expect(seedA.message).toMatch(/^seeded reference_data/);
    await sql(a.id, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('marker-1')");

    const save = await w.cli(['snapshot', 'save', 's1', '-i', a.id, '--compress', '--json']);
    expect(save.code, save.stdout + save.stderr).toBe(0);
    const s1 = save.json.snapshot;
    expect(s1).toMatchObject({ name: 's1', method: 'stopped', migrationHead: '001_create_operations.sql', source: { instance: a.id } });
    expect(s1.volumes).toHaveLength(1);
    expect(s1.volumes[0]).toMatchObject({ key: 'postgres_data', services: ['db'] });
    expect(s1.volumes[0].bytes).toBeGreaterThan(1_000_000);
    expect(existsSync(join(snapshotsDir(), 's1', 'postgres_data.tar.gz'))).toBe(true);
    expect(await ourHelpers(a.id)).toEqual([]); // helper containers are gone
    await dbReady(a.id);
    expect(await sql(a.id, 'SELECT v FROM marker')).toBe('marker-1'); // the source was started again

    const cb = await w.cli(['create', 'b', '--snapshot', 's1', '--json']);
    expect(cb.code, cb.stdout + cb.stderr).toBe(0);
    b = cb.json.instance;
    expect(cb.json.restore).toMatchObject({ snapshot: 's1', instance: b.id });
    const vol = await execa('docker', ['volume', 'inspect', '-f', `{{index .Labels "${LABEL_INSTANCE}"}}`, `${b.id}_postgres_data`]);
    expect(String(vol.stdout).trim()).toBe(b.id);
    const upB = await w.cli(['up', '--json'], { cwd: b.path });
    expect(upB.code, upB.stdout + upB.stderr).toBe(0);
    const checks = Object.fromEntries(upB.json.gate.checks.map((c: any) => [c.name, c]));
    expect(checks.migrations.state).toBe('passed');
    expect(checks.migrations.details.join('\n')).toMatch(/already applied 001_create_operations\.sql/);
    expect(checks.migrations.details.join('\n')).not.toMatch(/^applied/m);
    expect(checks.seed.message).toBe(SEED_SKIPPED);
    expect(await sql(b.id, 'SELECT v FROM marker')).toBe('marker-1');

    await sql(b.id, "INSERT INTO marker VALUES ('written-by-b'), ('more')");
    const reset = await w.cli(['reset', '--snapshot', 's1', '--json'], { cwd: b.path });
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.json.gate.passed).toBe(true);
    expect(await sql(b.id, "SELECT string_agg(v, ',') FROM marker")).toBe('marker-1');
    const logs = await execa('docker', ['logs', await dbContainer(b.id)], { all: true });
    expect(String(logs.all)).not.toMatch(RECOVERY);
  });

  it('refuses a snapshot taken with other compose files unless --force, and touches nothing when refusing', async () => {
    await appendFile(join(b.path, 'docker-compose.sandbox.yml'), '\n# changed in b\n');
    const before = await execa('docker', ['inspect', '-f', '{{.State.StartedAt}}', await dbContainer(b.id)]);
    const refused = await w.cli(['reset', b.id, '--snapshot', 's1', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.message).toMatch(/compose files differ/);
    expect(refused.json.error.hint).toMatch(/--force/);
    const after = await execa('docker', ['inspect', '-f', '{{.State.StartedAt}}', await dbContainer(b.id)]);
    expect(after.stdout).toBe(before.stdout); // the database was not even stopped
    const forced = await w.cli(['reset', b.id, '--snapshot', 's1', '--force', '--json']);
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(forced.json.restore.forced.join(' ')).toMatch(/compose files differ/);
    await git(b.path, 'checkout', '--', 'docker-compose.sandbox.yml');
  });

  it('a save while the database is being written yields a database that starts without recovery', async () => {
    await sql(a.id, 'CREATE TABLE writes (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), payload text)');
    // ~120 MB of WAL, then a checkpoint: PostgreSQL recycles the old segments into future ones (snapshot.postgres
    // leaves those out of the copy below)
    await sql(a.id, "INSERT INTO writes (payload) SELECT repeat('v', 500) FROM generate_series(1, 200000)");
    await execa('docker', ['exec', await dbContainer(a.id), 'psql', '-U', 'postgres', '-d', 'ktrdr', '-c', 'CHECKPOINT']); // a superuser's
    // A writer in the backend container: inserts continuously for at most 60 s, reconnecting when the database goes away.
    const writer = [
      'import sys, time; sys.path.insert(0, "/app/src"); import db',
      'end = time.time() + 60',
      'while time.time() < end:',
      '    try:',
      '        c = db.connect(); c.autocommit = True; cur = c.cursor()',
      '        while time.time() < end: cur.execute("INSERT INTO writes (payload) SELECT repeat(\'w\', 500) FROM generate_series(1, 50)")',
      '    except Exception:',
      '        time.sleep(0.2)',
    ].join('\n');
    const backend = String(
      (
        await execa('docker', [
          'ps',
          '-q',
          '--filter',
          `label=com.docker.compose.project=${a.id}`,
          '--filter',
          'label=com.docker.compose.service=backend',
        ])
      ).stdout,
    ).trim();
    await execa('docker', ['exec', '-d', backend, 'python3', '-c', writer]);
    const t0 = Date.now();
    while (Number(await sql(a.id, 'SELECT count(*) FROM writes')) < 200_500 && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 300));
    expect(Number(await sql(a.id, 'SELECT count(*) FROM writes'))).toBeGreaterThanOrEqual(200_500);

    const save = await w.cli(['snapshot', 'save', 's2', '-i', a.id, '--json']);
    expect(save.code, save.stdout + save.stderr).toBe(0);
    expect(save.json.snapshot.method).toBe('stopped');
    expect(existsSync(join(snapshotsDir(), 's2', 'postgres_data.tar'))).toBe(true); // uncompressed by default
    // The source keeps its recycled WAL segments; the copy has only the shutdown checkpoint's segment (or two).
    const segment = /^pg_wal\/[0-9A-F]{24}$/;
    const inSource = String((await execa('docker', ['exec', await dbContainer(a.id), 'ls', '/var/lib/postgresql/data/pg_wal'])).stdout)
      .split('\n')
      .filter((f) => segment.test(`pg_wal/${f}`));
    const inCopy: string[] = [];
    await tar.t({
      file: join(snapshotsDir(), 's2', 'postgres_data.tar'),
      onReadEntry: (e) => void inCopy.push(e.path.replace(/^snapshot-volume\//, '')),
    });
    const copied = inCopy.filter((p) => segment.test(p));
    expect(copied.length).toBeGreaterThanOrEqual(1);
    expect(copied.length).toBeLessThanOrEqual(2);
    expect(inSource.length, inSource.join(' ')).toBeGreaterThan(copied.length + 2);
    expect(inCopy).toContain('global/pg_control');
    const since = Math.floor(Date.now() / 1000) - 1;
    const reset = await w.cli(['reset', b.id, '--snapshot', 's2', '--json']);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const logs = String((await execa('docker', ['logs', '--since', String(since), await dbContainer(b.id)], { all: true })).all);
    expect(logs).toMatch(/database system was shut down at/);
    expect(logs).not.toMatch(RECOVERY);
    expect(Number(await sql(b.id, 'SELECT count(*) FROM writes'))).toBeGreaterThanOrEqual(200_500);
    expect(await sql(b.id, 'SELECT v FROM marker')).toBe('marker-1');
  });

  it('snapshots survive destroy of their source; the default serves a plain create; rm frees the space; bad names are refused', async () => {
    const d = await w.cli(['destroy', a.id, '--force', '--json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const list = await w.cli(['snapshot', 'list', '--json']);
    expect(list.json.snapshots.map((s: any) => s.name)).toEqual(['s1', 's2']);
    expect(list.json.snapshots[0].source.instance).toBe(a.id);

    expect((await w.cli(['snapshot', 'default', 's1', '--json'])).json).toMatchObject({ snapshot: 's1' });
    const cc = await w.cli(['create', 'c', '--json']);
    expect(cc.code, cc.stdout + cc.stderr).toBe(0);
    expect(cc.json.restore).toMatchObject({ snapshot: 's1' });
    const cn = await w.cli(['create', 'd', '--no-snapshot', '--json']);
    expect(cn.code, cn.stdout + cn.stderr).toBe(0);
    expect(cn.json.restore).toBeNull();

    const size = list.json.snapshots[0].sizeOnDisk;
    expect(size).toBeGreaterThan(100_000);
    const rm = await w.cli(['snapshot', 'rm', 's1', '--json']);
    expect(rm.code, rm.stdout + rm.stderr).toBe(0);
    expect(rm.json.removed[0]).toEqual({ name: 's1', freedBytes: size });
    expect(existsSync(join(snapshotsDir(), 's1'))).toBe(false);
    expect((await w.cli(['snapshot', 'default', '--json'])).json.snapshot).toBeNull(); // the default went with it
    expect((await w.cli(['snapshot', 'list', '--json'])).json.snapshots.map((s: any) => s.name)).toEqual(['s2']);

    for (const bad of ['../evil', '..', 'a/b', '.hidden']) {
      const r = await w.cli(['snapshot', 'save', bad, '-i', b.id, '--json']);
      expect(r.code, bad).toBe(1);
      expect(r.json.error.code).toBe('USAGE');
      expect((await w.cli(['snapshot', 'rm', bad, '--json'])).json.error.code).toBe('USAGE');
    }
    expect(JSON.parse(await readFile(join(snapshotsDir(), 's2', 'meta.json'), 'utf8')).name).toBe('s2');
  });
});
