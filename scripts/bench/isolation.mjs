// The isolation check's cost: on a running instance of KTRDR's current shape (tests/fixtures/stack-current, joined
// to a shared observability stack, isolated), run the gate 7 times and read when the isolation check reached its
// verdict (ms from the gate's start: one container listing + an inspect of the shared collector). The gate ends
// when its last check does, so this bounds what the check can add to it. Median of 7, next to the gate's total.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmt, makeWorld, median, must } from './lib.mjs';

/**
 * A world holding KTRDR's current shape (tests/fixtures/stack-current) with a running shared observability stack
 * (tests/fixtures/shared-obs) under unique external names; run(ctx) gets them, everything is removed afterwards.
 */
export async function withSharedObservability(name, run) {
  const w = makeWorld(name);
  const tag = `${process.pid}`;
  const net = `bench-obs-${tag}`;
  const vol = `bench-cache-${tag}`;
  const obsProject = `benchobs${tag}`;
  const rewrite = (f) =>
    writeFileSync(f, readFileSync(f, 'utf8').replaceAll('ktrdr-observability', net).replaceAll('ktrdr-shared-cache', vol));
  cpSync(join(ROOT, 'tests', 'fixtures', 'stack-current'), w.repo, { recursive: true });
  rewrite(join(w.repo, 'docker-compose.sandbox.yml'));
  const git = (...a) =>
    execFileSync('git', ['-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', ...a], { cwd: w.repo, stdio: 'ignore' });
  git('add', '-A');
  git('commit', '-qm', 'current shape');
  const obsDir = join(w.root, 'obs');
  cpSync(join(ROOT, 'tests', 'fixtures', 'shared-obs'), obsDir, { recursive: true });
  rewrite(join(obsDir, 'docker-compose.yml'));
  const obs = (...a) =>
    execFileSync('docker-compose', ['-p', obsProject, '-f', join(obsDir, 'docker-compose.yml'), ...a], {
      env: { ...process.env, OBS_COLLECTOR_PORT: '0' },
      stdio: 'ignore',
    });
  try {
    execFileSync('docker', ['volume', 'create', vol], { stdio: 'ignore' });
    obs('up', '-d');
    return await run({ w, net, vol });
  } finally {
    w.cli(['destroy', '--all', '--force']);
    try {
      obs('down', '-v'); // before the world (and the shared stack's compose file with it) is removed
    } catch {
      // already gone
    }
    w.cleanup();
    execFileSync('docker', ['volume', 'rm', vol], { stdio: 'ignore' });
  }
}

export async function isolationCost() {
  return withSharedObservability('bench-iso', async ({ w }) => {
    const c = must(w.cli(['create', 'iso', '--slot', '8', '--json']), 'create');
    const id = c.json.instance.id;
    must(w.cli(['up', id, '--json']), 'up');
    const verdicts = [];
    const totals = [];
    for (let i = 0; i < 7; i++) {
      const g = must(w.cli(['gate', id, '--json']), 'gate');
      const iso = g.json.gate.checks.find((x) => x.name === 'isolation');
      if (iso.state !== 'passed') throw new Error(`isolation check ${iso.state}: ${iso.message}`);
      verdicts.push(iso.elapsedMs);
      totals.push(g.json.gate.elapsedMs);
    }
    const med = median(verdicts);
    return [
      {
        metric: `isolation check verdict, ms from gate start (gate total ${fmt(median(totals))}), median of 7`,
        value: fmt(med),
        target: '≤ 100 ms',
        ok: med <= 100,
      },
    ];
  });
}
