// Issue 14: instances from a seeded snapshot vs from empty, in one run, on a database of ≥ 200 MB.
//  • create + up + gate from the snapshot  ≤ 0.5 × create + up + gate that migrates and seeds from empty
//  • reset of that database               ≤ 0.3 × destroy + create + up (+ gate, migrating and seeding) from empty
// The seed step (gate.seed, tests/fixtures/stack/backend/seed.py) generates BENCH_SNAPSHOT_ROWS rows
// (default 700 000, ~300 B each) with generate_series.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmt, makeWorld, must } from './lib.mjs';

const ROWS = Number(process.env.BENCH_SNAPSHOT_ROWS ?? 700_000);
const MB = (n) => `${(n / 1e6).toFixed(0)} MB`;

function sql(project, query) {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=db'], { encoding: 'utf8' }).trim();
  return execFileSync('docker', ['exec', id, 'psql', '-U', 'ktrdr', '-d', 'ktrdr', '-tAc', query], { encoding: 'utf8' }).trim();
}

export async function snapshotBench() {
  const w = makeWorld('ktrdr');
  const log = (line) => process.stderr.write(`[bench]     ${line}\n`);
  try {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'snapshot', 'manifest.json'), 'utf8'));
    manifest.gate.seed.command = ['python3', '/app/src/seed.py', String(ROWS)];
    writeFileSync(join(w.repo, 'ktrdr-sandbox.yml'), JSON.stringify(manifest, null, 1));
    execFileSync('git', ['add', 'ktrdr-sandbox.yml'], { cwd: w.repo });
    execFileSync('git', ['-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', 'commit', '-qm', 'manifest'], { cwd: w.repo, stdio: 'ignore' });

    // From empty: create + up + gate, the gate migrating and seeding.
    const ce = must(w.cli(['create', 'empty', '--no-snapshot', '--json']), 'create empty');
    const e = ce.json.instance;
    const ue = must(w.cli(['up', '--json', '--timeout', '900'], e.path), 'up empty');
    const seed = ue.json.gate.checks.find((c) => c.name === 'seed');
    if (!/^seeded/.test(seed?.message ?? '')) throw new Error(`the seed step did not seed: ${seed?.message}`);
    const fromEmpty = ce.ms + ue.ms;
    const dbBytes = Number(sql(e.id, "SELECT pg_database_size('ktrdr')"));
    log(`from empty: create ${fmt(ce.ms)} + up/gate ${fmt(ue.ms)} (seed ${fmt(seed.elapsedMs - seed.startedAt)}) = ${fmt(fromEmpty)}; database ${MB(dbBytes)}`);
    if (dbBytes < 200e6) throw new Error(`the seeded database is only ${MB(dbBytes)}: raise BENCH_SNAPSHOT_ROWS`);

    const save = must(w.cli(['snapshot', 'save', 'seeded', '-i', e.id, '--json']), 'snapshot save');
    const vol = save.json.snapshot.volumes[0];
    log(`snapshot save ${fmt(save.ms)}: volume ${MB(vol.bytes)} → ${MB(vol.stored)} on disk`);
    must(w.cli(['down'], e.path), 'down empty'); // one stack at a time on a small machine

    // From the snapshot: create + up + gate (nothing to migrate or seed).
    const cs = must(w.cli(['create', 'snap', '--snapshot', 'seeded', '--json']), 'create from snapshot');
    const s = cs.json.instance;
    const us = must(w.cli(['up', '--json', '--timeout', '900'], s.path), 'up from snapshot');
    const fromSnapshot = cs.ms + us.ms;
    log(`from snapshot: create+restore ${fmt(cs.ms)} + up/gate ${fmt(us.ms)} = ${fmt(fromSnapshot)}`);

    // Reset after writes vs destroy + create + up from empty.
    sql(s.id, 'DELETE FROM bulk_data WHERE id % 7 = 0');
    const reset = must(w.cli(['reset', '--snapshot', 'seeded', '--json', '--timeout', '900'], s.path), 'reset');
    if (!reset.json.gate.passed) throw new Error('gate failed after reset');
    const rows = Number(sql(s.id, 'SELECT count(*) FROM bulk_data'));
    if (rows !== ROWS) throw new Error(`reset left ${rows} rows, expected ${ROWS}`);
    log(`reset ${fmt(reset.ms)} (restore ${fmt(reset.json.restore.elapsedMs)}, gate ${fmt(reset.json.gate.elapsedMs)})`);
    const d = must(w.cli(['destroy', s.id, '--force']), 'destroy');
    const c2 = must(w.cli(['create', 'again', '--no-snapshot', '--json']), 'create again');
    const u2 = must(w.cli(['up', '--json', '--timeout', '900'], c2.json.instance.path), 'up again');
    const rebuild = d.ms + c2.ms + u2.ms;
    log(`destroy ${fmt(d.ms)} + create ${fmt(c2.ms)} + up/gate ${fmt(u2.ms)} = ${fmt(rebuild)}`);

    const r1 = fromSnapshot / fromEmpty;
    const r2 = reset.ms / rebuild;
    return [
      { metric: `create+up+gate from a snapshot / from empty (db ${MB(dbBytes)}, snapshot ${MB(vol.stored)})`, value: `${r1.toFixed(2)} (${fmt(fromSnapshot)} / ${fmt(fromEmpty)})`, target: '≤ 0.5', ok: r1 <= 0.5 },
      { metric: 'reset / destroy+create+up from empty', value: `${r2.toFixed(2)} (${fmt(reset.ms)} / ${fmt(rebuild)})`, target: '≤ 0.3', ok: r2 <= 0.3 },
      { metric: 'snapshot save (stop, copy, start)', value: fmt(save.ms), target: '–', ok: true },
    ];
  } finally {
    w.cleanup();
  }
}
