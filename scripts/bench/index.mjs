// npm run bench — the performance figures named in the issues, measured against the real engine.
// Needs a running Docker engine, the built CLI (npm run build) and the fixture image
// (docker build -t ktrdr-sandbox-fixture:1 tests/fixtures/stack/image). Prints a table and writes
// bench-results.json. Select scenarios with BENCH=cli,list,gate,up,evidence,dashboard,derive,slowhealth,snapshot,isolation,sharedobs,remote (default: all).
import { writeFileSync } from 'node:fs';
import { cliOverhead } from './cli-overhead.mjs';
import { listStatus } from './list-status.mjs';
import { gateLatency } from './gate-latency.mjs';
import { upVersusRaw } from './up-vs-raw.mjs';
import { evidenceTime } from './evidence.mjs';
import { dashboard } from './dashboard.mjs';
import { deriveBench } from './derive.mjs';
import { slowHealth } from './slow-health.mjs';
import { sharedObsUp } from './shared-obs-up.mjs';
import { snapshotBench } from './snapshot.mjs';
import { isolationCost } from './isolation.mjs';
import { remoteEngine } from './remote.mjs';

const all = {
  cli: cliOverhead,
  list: listStatus,
  gate: gateLatency,
  up: upVersusRaw,
  evidence: evidenceTime,
  dashboard,
  derive: deriveBench,
  slowhealth: slowHealth,
  snapshot: snapshotBench,
  isolation: isolationCost,
  sharedobs: sharedObsUp,
  remote: remoteEngine,
};
const chosen = (process.env.BENCH ?? Object.keys(all).join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const rows = [];
for (const name of chosen) {
  const run = all[name];
  if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(all).join(', ')}`);
  process.stderr.write(`\n[bench] ${name}…\n`);
  for (const r of await run()) {
    rows.push(r);
    process.stderr.write(`[bench]   ${r.metric}: ${r.value} (target ${r.target}) ${r.ok ? 'OK' : 'OVER'}\n`);
  }
}
console.log('\n| metric | measured | target | verdict |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.metric} | ${r.value} | ${r.target} | ${r.ok ? 'ok' : '**over**'} |`);
writeFileSync('bench-results.json', `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`);
