// `up` + gate wall time against a raw `compose up -d` followed by a shell loop waiting on the same things
// (pg_isready, migrations, health, ≥4 workers, Grafana/Jaeger/Prometheus, every container healthy), from
// the same stopped state (containers removed, volumes kept), alternating (ours first, then raw first, …),
// 5 runs each (BENCH_UP_RUNS). The fixture's healthchecks run every 1-5 s, so a run that just misses one
// takes seconds longer: single runs vary a lot, and each one is printed, split at the end of compose.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternating, fmt, makeWorld, median, must } from './lib.mjs';

function composeCmd() {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? 'docker compose' : 'docker-compose';
}

// The worker count greps the fixture's body ({"workers":[{"id":…},…]}: one "id" per worker) rather than piping
// it through python3: on a machine where python3 is a pyenv shim each call costs ~1 s, which would slow the raw
// side down for a reason that has nothing to do with compose or waiting.
function rawScript(p, dir, api, grafana, jaeger, prom) {
  const svc = (s) => `$(docker ps -q --filter label=com.docker.compose.project=${p} --filter label=com.docker.compose.service=${s})`;
  return `set -e
cd ${dir}
set -a; . ./.env.sandbox; . "$SECRETS"; set +a
${composeCmd()} -p ${p} --project-directory ${dir} -f ${dir}/docker-compose.sandbox.yml --env-file ${dir}/.env.sandbox up -d >/dev/null 2>&1
echo "composed \${EPOCHREALTIME:-$(date +%s)}"
until docker exec ${svc('db')} pg_isready -h 127.0.0.1 -U ktrdr -d ktrdr >/dev/null 2>&1; do sleep 0.25; done
until docker exec ${svc('backend')} alembic upgrade head >/dev/null 2>&1; do sleep 0.25; done
until curl -fs -o /dev/null http://127.0.0.1:${api}/api/v1/health; do sleep 0.25; done
until [ "$(curl -fs http://127.0.0.1:${api}/api/v1/workers | grep -o '"id":' | wc -l)" -ge 4 ]; do sleep 0.25; done
until curl -fs -o /dev/null http://127.0.0.1:${grafana}/api/health && curl -fs -o /dev/null http://127.0.0.1:${jaeger}/ && curl -fs -o /dev/null http://127.0.0.1:${prom}/-/ready; do sleep 0.25; done
until [ "$(docker ps -q --filter label=com.docker.compose.project=${p} --filter health=healthy | wc -l)" -ge 9 ]; do sleep 0.25; done
`;
}

export async function upVersusRaw() {
  const w = makeWorld();
  try {
    const inst = must(w.cli(['create', 'bench-up', '--json']), 'create').json.instance;
    must(w.cli(['up', '--json'], inst.path), 'first up'); // image warm, volume initialised, secrets generated
    const port = (n) => inst.ports.find((x) => x.name === n).port;
    const secrets = join(w.home, '.ktrdr', 'sandbox', 'secrets', `${inst.id}.env`);
    readFileSync(secrets);
    const script = rawScript(inst.id, inst.path, port('api'), port('grafana'), port('jaeger'), port('prometheus'));
    const ours = [];
    const raw = [];
    const log = (line) => process.stderr.write(`[bench]     ${line}\n`);
    const runOurs = () => {
      must(w.cli(['down'], inst.path), 'down');
      const r = must(w.cli(['up', '--json'], inst.path), 'up');
      if (!r.json.gate.passed) throw new Error('gate failed during the benchmark');
      ours.push(r.ms);
      log(`up + gate ${fmt(r.ms)} = ${fmt(r.ms - r.json.gate.elapsedMs)} until the gate + ${fmt(r.json.gate.elapsedMs)} gate`);
    };
    const runRaw = () => {
      must(w.cli(['down'], inst.path), 'down');
      const start = Date.now();
      const t0 = performance.now();
      const out = execFileSync('bash', ['-c', script], {
        env: { ...w.env, SECRETS: secrets },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 300_000,
      });
      const ms = performance.now() - t0;
      raw.push(ms);
      const composed = Number(/composed (\d+(?:[.,]\d+)?)/.exec(out)?.[1]?.replace(',', '.')) * 1000 - start; // EPOCHREALTIME follows the locale
      log(
        `raw       ${fmt(ms)} = ${Number.isFinite(composed) ? `${fmt(composed)} until compose returned + ${fmt(ms - composed)} waiting` : '(no split)'}`,
      );
    };
    const n = Number(process.env.BENCH_UP_RUNS ?? 5);
    alternating(n, runOurs, runRaw);
    const o = median(ours);
    const b = median(raw);
    return [
      { metric: `\`up\` + gate, fixture stack, median of ${n}`, value: fmt(o), target: '-', ok: true, samples: ours },
      { metric: `raw compose up -d + shell wait loop, median of ${n}`, value: fmt(b), target: '-', ok: true, samples: raw },
      { metric: 'ratio up+gate / raw', value: (o / b).toFixed(2), target: '≤ 1.10', ok: o / b <= 1.1 },
    ];
  } finally {
    w.cleanup();
  }
}
