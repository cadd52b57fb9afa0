// Issue 10: `up` + gate on KTRDR's current shape (shared observability on an external network, isolation on)
// against a raw `docker-compose up -d` of the same file followed by the same readiness loop (pg_isready,
// migrations, health, ≥ 4 workers, every container Docker-healthy), from the same stopped state, alternating,
// 3 runs each (BENCH_UP_RUNS). Raw compose joins the shared network as the file says (no isolation: the baseline).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { alternating, fmt, median, must } from './lib.mjs';
import { withSharedObservability } from './isolation.mjs';

function rawScript(p, dir, api, n) {
  const svc = (s) => `$(docker ps -q --filter label=com.docker.compose.project=${p} --filter label=com.docker.compose.service=${s})`;
  const q = `--filter label=com.docker.compose.project=${p}`;
  return `set -e
cd ${dir}
set -a; . ./.env.sandbox; . "$SECRETS"; set +a
docker-compose -p ${p} --project-directory ${dir} -f ${dir}/docker-compose.sandbox.yml --env-file ${dir}/.env.sandbox up -d >/dev/null 2>&1
until docker exec ${svc('db')} pg_isready -h 127.0.0.1 -U ktrdr -d ktrdr >/dev/null 2>&1; do sleep 0.25; done
until docker exec ${svc('backend')} alembic upgrade head >/dev/null 2>&1; do sleep 0.25; done
until curl -fs -o /dev/null http://127.0.0.1:${api}/api/v1/health; do sleep 0.25; done
until [ "$(curl -fs http://127.0.0.1:${api}/api/v1/workers | grep -o '"id":' | wc -l)" -ge 4 ]; do sleep 0.25; done
until [ "$(docker ps -q ${q} | wc -l)" -ge ${n} ] && [ -z "$(docker ps -q ${q} --filter health=starting)" ] && [ -z "$(docker ps -q ${q} --filter health=unhealthy)" ]; do sleep 0.25; done
`;
}

export async function sharedObsUp() {
  return withSharedObservability('bench-sobs', async ({ w }) => {
    const inst = must(w.cli(['create', 'sobs', '--slot', '7', '--json']), 'create').json.instance;
    must(w.cli(['up', '--json'], inst.path), 'first up'); // image warm, volume initialised, secrets generated
    const n = Number(
      execFileSync('bash', ['-c', `docker ps -q --filter label=com.docker.compose.project=${inst.id} | wc -l`], {
        encoding: 'utf8',
      }).trim(),
    );
    const secrets = join(w.home, '.ktrdr', 'sandbox', 'secrets', `${inst.id}.env`);
    const script = rawScript(inst.id, inst.path, inst.ports.find((x) => x.name === 'api').port, n);
    const ours = [];
    const raw = [];
    const log = (line) => process.stderr.write(`[bench]     ${line}\n`);
    const runOurs = () => {
      must(w.cli(['down'], inst.path), 'down');
      const r = must(w.cli(['up', '--json'], inst.path), 'up');
      if (!r.json.gate.passed) throw new Error('gate failed during the benchmark');
      ours.push(r.ms);
      log(`up + gate ${fmt(r.ms)} (gate ${fmt(r.json.gate.elapsedMs)})`);
    };
    const runRaw = () => {
      must(w.cli(['down'], inst.path), 'down');
      const t0 = performance.now();
      execFileSync('bash', ['-c', script], { env: { ...w.env, SECRETS: secrets }, stdio: 'ignore', timeout: 300_000 });
      raw.push(performance.now() - t0);
      log(`raw       ${fmt(raw.at(-1))}`);
    };
    const runs = Number(process.env.BENCH_UP_RUNS ?? 3);
    alternating(runs, runOurs, runRaw);
    const o = median(ours);
    const b = median(raw);
    return [
      { metric: `shared observability: \`up\` + gate (isolated), median of ${runs}`, value: fmt(o), target: '-', ok: true, samples: ours },
      {
        metric: `shared observability: raw docker-compose up -d + the same readiness loop, median of ${runs}`,
        value: fmt(b),
        target: '-',
        ok: true,
        samples: raw,
      },
      { metric: 'shared observability: ratio up+gate / raw', value: (o / b).toFixed(2), target: '≤ 1.05', ok: o / b <= 1.05 },
    ];
  });
}
