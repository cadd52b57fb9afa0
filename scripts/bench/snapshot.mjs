// Issue 14: instances from a seeded snapshot vs from empty, in one run, on a database of ≥ 200 MB.
//  • create + up + gate from the snapshot  ≤ 0.5 × create + up + gate that migrates and seeds from empty
//  • reset of that database               ≤ 0.3 × destroy + create + up (+ gate, migrating and seeding) from empty
// The seed step (gate.seed, tests/fixtures/stack/backend/seed.py) generates BENCH_SNAPSHOT_ROWS rows
// (default 700 000, ~300 B each) with generate_series. BENCH_SNAPSHOT_COMPRESS=1 saves with --compress;
// BENCH_SNAPSHOT_RUNS rounds (default 3), each side interleaved, medians.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmt, makeWorld, median, must } from './lib.mjs';

const ROWS = Number(process.env.BENCH_SNAPSHOT_ROWS ?? 700_000);
const COMPRESS = process.env.BENCH_SNAPSHOT_COMPRESS === '1'; // snapshot save --compress
const RUNS = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3);
const MB = (n) => `${(n / 1e6).toFixed(0)} MB`;

function sql(project, query, user = 'ktrdr') {
  const id = execFileSync(
    'docker',
    ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=db'],
    { encoding: 'utf8' },
  ).trim();
  return execFileSync('docker', ['exec', id, 'psql', '-U', user, '-d', 'ktrdr', '-tAc', query], { encoding: 'utf8' }).trim();
}

export async function snapshotBench() {
  const w = makeWorld('ktrdr');
  const log = (line) => process.stderr.write(`[bench]     ${line}\n`);
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'snapshot', 'manifest.json'), 'utf8'));
    manifest.gate.seed.command = ['python3', '/app/src/seed.py', String(ROWS)];
    writeFileSync(join(w.repo, 'ktrdr-sandbox.yml'), JSON.stringify(manifest, null, 1));
    execFileSync('git', ['add', 'ktrdr-sandbox.yml'], { cwd: w.repo });
    execFileSync('git', ['-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'commit', '-qm', 'manifest'], {
      cwd: w.repo,
      stdio: 'ignore',
    });

    // The seeded source: from empty (the gate migrates and seeds), then the snapshot.
    const src = must(w.cli(['create', 'source', '--no-snapshot', '--json']), 'create source').json.instance;
    must(w.cli(['up', '--json', '--timeout', '900'], src.path), 'up source');
    const dbBytes = Number(sql(src.id, "SELECT pg_database_size('ktrdr')"));
    const walBytes = Number(sql(src.id, 'SELECT sum(size) FROM pg_ls_waldir()', 'postgres')); // pg_wal, recycled segments included
    if (dbBytes < 200e6) throw new Error(`the seeded database is only ${MB(dbBytes)}: raise BENCH_SNAPSHOT_ROWS`);
    const save = must(w.cli(['snapshot', 'save', 'seeded', '-i', src.id, '--json', ...(COMPRESS ? ['--compress'] : [])]), 'snapshot save');
    const vol = save.json.snapshot.volumes[0];
    log(
      `database ${MB(dbBytes)}, pg_wal ${MB(walBytes)}; snapshot save ${fmt(save.ms)}: ${MB(vol.bytes)} copied → ${MB(vol.stored)} on disk`,
    );
    must(w.cli(['destroy', src.id, '--force']), 'destroy source'); // one stack at a time on a small machine

    // Rounds, interleaved so that a load swing hits both sides of each ratio alike; medians.
    const fromEmpty = [];
    const fromSnapshot = [];
    const resets = [];
    const rebuilds = [];
    for (let i = 0; i < RUNS; i++) {
      const ce = must(w.cli(['create', `empty-${i}`, '--no-snapshot', '--json']), 'create empty');
      const ue = must(w.cli(['up', '--json', '--timeout', '900'], ce.json.instance.path), 'up empty');
      const seed = ue.json.gate.checks.find((c) => c.name === 'seed');
      if (!/^seeded/.test(seed?.message ?? '')) throw new Error(`the seed step did not seed: ${seed?.message}`);
      const de = must(w.cli(['destroy', ce.json.instance.id, '--force']), 'destroy empty');
      fromEmpty.push(ce.ms + ue.ms);
      rebuilds.push(de.ms + ce.ms + ue.ms);

      const cs = must(w.cli(['create', `snap-${i}`, '--snapshot', 'seeded', '--json']), 'create from snapshot');
      const s = cs.json.instance;
      const us = must(w.cli(['up', '--json', '--timeout', '900'], s.path), 'up from snapshot');
      if (!us.json.gate.passed) throw new Error('gate failed from the snapshot');
      fromSnapshot.push(cs.ms + us.ms);
      sql(s.id, 'DELETE FROM bulk_data WHERE id % 7 = 0');
      const reset = must(w.cli(['reset', '--snapshot', 'seeded', '--json', '--timeout', '900'], s.path), 'reset');
      if (!reset.json.gate.passed) throw new Error('gate failed after reset');
      const rows = Number(sql(s.id, 'SELECT count(*) FROM bulk_data'));
      if (rows !== ROWS) throw new Error(`reset left ${rows} rows, expected ${ROWS}`);
      resets.push(reset.ms);
      must(w.cli(['destroy', s.id, '--force']), 'destroy snapshot instance');
      log(
        `round ${i + 1}: from empty ${fmt(ce.ms + ue.ms)} (seed ${fmt(seed.elapsedMs - seed.startedAt)}) · from snapshot ${fmt(cs.ms + us.ms)} (create+restore ${fmt(cs.ms)}) · ` +
          `reset ${fmt(reset.ms)} (restore ${fmt(reset.json.restore.elapsedMs)}) · destroy+create+up ${fmt(de.ms + ce.ms + ue.ms)}`,
      );
    }
    const [e, sn, r, rb] = [fromEmpty, fromSnapshot, resets, rebuilds].map(median);
    const r1 = sn / e;
    const r2 = r / rb;
    return [
      {
        metric: `create+up+gate from a snapshot / from empty (db ${MB(dbBytes)}, snapshot ${MB(vol.stored)}, medians of ${RUNS})`,
        value: `${r1.toFixed(2)} (${fmt(sn)} / ${fmt(e)})`,
        target: '≤ 0.5',
        ok: r1 <= 0.5,
      },
      {
        metric: `reset / destroy+create+up from empty (medians of ${RUNS})`,
        value: `${r2.toFixed(2)} (${fmt(r)} / ${fmt(rb)})`,
        target: '≤ 0.3',
        ok: r2 <= 0.3,
      },
      {
        metric: `snapshot save (stop, copy, start): db ${MB(dbBytes)} + pg_wal ${MB(walBytes)} → ${MB(vol.bytes)} copied, ${MB(vol.stored)} on disk${COMPRESS ? ' (--compress)' : ''}`,
        value: fmt(save.ms),
        target: '–',
        ok: true,
      },
    ];
  } finally {
    w.cleanup();
  }
}
