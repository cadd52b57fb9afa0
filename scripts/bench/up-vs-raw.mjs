// `up` + gate wall time against a raw `compose up -d` followed by a shell loop waiting on the same things
// (pg_isready, migrations, health, ≥4 workers, Grafana/Jaeger/Prometheus, every container healthy), from
// the same stopped state (containers removed, volumes kept), alternating, 3 runs each.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, makeWorld, median, must } from './lib.mjs';

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
    for (let i = 0; i < 3; i++) {
      must(w.cli(['down'], inst.path), 'down');
      const r = must(w.cli(['up', '--json'], inst.path), 'up');
      if (!r.json.gate.passed) throw new Error('gate failed during the benchmark');
      ours.push(r.ms);
      must(w.cli(['down'], inst.path), 'down');
      const t0 = performance.now();
      execFileSync('bash', ['-c', script], { env: { ...w.env, SECRETS: secrets }, stdio: 'ignore', timeout: 300_000 });
      raw.push(performance.now() - t0);
    }
    const o = median(ours);
    const b = median(raw);
    const runs = (xs) => xs.map((x) => fmt(x)).join(', ');
    process.stderr.write(`[bench]     up + gate runs: ${runs(ours)}; raw runs: ${runs(raw)}\n`);
    return [
      { metric: '`up` + gate, fixture stack, median of 3', value: fmt(o), target: '-', ok: true, samples: ours },
      { metric: 'raw compose up -d + shell wait loop, median of 3', value: fmt(b), target: '-', ok: true, samples: raw },
      { metric: 'ratio up+gate / raw', value: (o / b).toFixed(2), target: '≤ 1.10', ok: o / b <= 1.1 },
    ];
  } finally {
    w.cleanup();
  }
}
