// Issue 15 on the slow-interval fixture (tests/fixtures/slow-health: KTRDR's 10 s / 30 s healthchecks and
// service_healthy chain), in one run:
//  - `create` + `up` until "gate PASSED" against raw `docker-compose up -d` followed by waiting until Docker
//    reports every container healthy (same stack, same empty volume: `down -v` in between);
//  - idle CPU of the stack (sum of its containers' cgroup CPU, healthcheck execs included) over a window that
//    starts BENCH_IDLE_SETTLE_MS (60 s) after each stack was ready, BENCH_IDLE_WINDOW_MS (60 s) long: the
//    gate's probes must leave nothing behind, so both should be what the file's own intervals give.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fmt, makeWorld, must, ROOT } from './lib.mjs';

const SETTLE = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 60_000);
const WINDOW = Number(process.env.BENCH_IDLE_WINDOW_MS ?? 60_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function socketPath() {
  const h = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!h.startsWith('unix://')) throw new Error(`the slow-health bench reads container stats over a unix socket; DOCKER_HOST is ${h}`);
  return h.slice('unix://'.length);
}

function dockerGet(path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socketPath(), path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function containersOf(project) {
  const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
  return dockerGet(`/containers/json?all=1&filters=${filters}`);
}

/** Cumulative CPU (ns) of the project's running containers. */
async function cpuNs(project) {
  let total = 0;
  for (const c of await containersOf(project)) {
    if (c.State !== 'running') continue;
    const s = await dockerGet(`/containers/${c.Id}/stats?stream=false&one-shot=true`);
    total += s.cpu_stats?.cpu_usage?.total_usage ?? 0;
  }
  return total;
}

async function idleCpu(project) {
  await sleep(SETTLE);
  const a = await cpuNs(project);
  const t = performance.now();
  await sleep(WINDOW);
  const b = await cpuNs(project);
  return (b - a) / 1e6 / (performance.now() - t); // cores (ms of CPU per ms)
}

async function allHealthy(project, n) {
  const cs = await containersOf(project);
  return cs.length === n && cs.every((c) => /\(healthy\)/.test(c.Status));
}

function composeCmd() {
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

export async function slowHealth() {
  const w = makeWorld('rdy-bench');
  try {
    for (const f of ['docker-compose.slow.yml', 'ktrdr-sandbox.yml'])
      copyFileSync(join(ROOT, 'tests', 'fixtures', 'slow-health', f), join(w.repo, f));
    const git = (...a) =>
      execFileSync('git', ['-c', 'user.email=b@example.invalid', '-c', 'user.name=bench', ...a], { cwd: w.repo, stdio: 'ignore' });
    git('add', '-A');
    git('commit', '-qm', 'slow-health');
    const log = (line) => process.stderr.write(`[bench]     ${line}\n`);

    // ours: create + up + gate PASSED
    const t0 = performance.now();
    const inst = must(w.cli(['create', 'slow', '--json']), 'create').json.instance;
    const up = must(w.cli(['up', '--json'], inst.path), 'up');
    const ours = performance.now() - t0;
    if (!up.json.gate.passed) throw new Error('gate failed');
    const sources = Object.entries(up.json.gate.readiness ?? {})
      .map(([s, r]) => `${s}:${r.source}`)
      .join(' ');
    log(`create+up+gate ${fmt(ours)} (up ${fmt(up.ms)}, gate ${fmt(up.json.gate.elapsedMs)}; ${sources})`);
    const oursCpu = await idleCpu(inst.id);
    log(`idle CPU after the gate: ${(oursCpu * 100).toFixed(1)} % of a core`);

    // raw: same stack from an empty volume, `up -d` then wait for Docker's healthy on all 4
    must(w.cli(['down', '-v'], inst.path), 'down -v');
    const secrets = join(w.home, '.ktrdr', 'sandbox', 'secrets', `${inst.id}.env`);
    const [cmd, ...pre] = composeCmd();
    const script = `set -e; set -a; . ./.env.sandbox; . "${secrets}"; set +a
${[cmd, ...pre].join(' ')} -p ${inst.id} --project-directory . -f docker-compose.slow.yml --env-file .env.sandbox up -d >/dev/null 2>&1`;
    const r0 = performance.now();
    execFileSync('bash', ['-c', script], { cwd: inst.path, env: w.env, stdio: 'ignore', timeout: 300_000 });
    const composed = performance.now() - r0;
    while (!(await allHealthy(inst.id, 4))) {
      if (performance.now() - r0 > 300_000) throw new Error('raw stack never healthy');
      await sleep(250);
    }
    const raw = performance.now() - r0;
    log(`raw ${fmt(raw)} = up -d ${fmt(composed)} + ${fmt(raw - composed)} until Docker says healthy`);
    const rawCpu = await idleCpu(inst.id);
    log(`idle CPU, raw: ${(rawCpu * 100).toFixed(1)} % of a core`);

    const ratio = ours / raw;
    const cpuRatio = oursCpu / rawCpu;
    return [
      { metric: 'slow-interval fixture: create + up + gate PASSED', value: fmt(ours), target: '-', ok: true },
      { metric: 'slow-interval fixture: raw up -d + wait until Docker says all healthy', value: fmt(raw), target: '-', ok: true },
      { metric: 'ratio ours / raw (slow-interval fixture)', value: ratio.toFixed(2), target: '≤ 0.60', ok: ratio <= 0.6 },
      {
        metric: `idle CPU ${SETTLE / 1000}–${(SETTLE + WINDOW) / 1000} s after ready, ours / raw`,
        value: `${(oursCpu * 100).toFixed(1)} % / ${(rawCpu * 100).toFixed(1)} % (×${cpuRatio.toFixed(2)})`,
        target: 'within 10 %',
        ok: Math.abs(cpuRatio - 1) <= 0.1,
      },
    ];
  } finally {
    w.cleanup();
  }
}
