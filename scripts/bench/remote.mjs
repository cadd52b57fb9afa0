// Remote engines (issue 13), against a real second engine: the remote-host fixture (tests/integration/
// remote-host.ts: Docker engine + sshd in a container, ssh on 127.0.0.1), loaded through jiti.
//   1. first `up` on the remote engine, split by step (forwards, sync, image copy, compose, gate), timed from
//      the progress events as they arrive on stderr
//   2. a second `up` with nothing changed: the sync step (target ≤ 1 s)
//   3. gate detection latency through the forwards, measured like the local one (gate-latency.mjs): a tiny stack
//      on the remote engine whose endpoint answers 503 until flipped; `gate` started, the endpoint flipped to 200
//      after a random phase by a request through the same forward; from that request's answer to PASSED printed
//      (median of 7)
//   4. `list --json` with one of two instances on the remote engine ÷ both on this one (same registry size)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createJiti } from 'jiti';
import { CLI, fmt, makeWorld, median, must, tinyRepo } from './lib.mjs';

const jiti = createJiti(import.meta.url);

/** Run the CLI, timestamping each progress event line on stderr as it arrives. */
function timedCli(args, cwd, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(CLI, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let buf = '';
    const events = [];
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) {
        try {
          events.push({ at: performance.now() - t0, ...JSON.parse(l) });
        } catch {
          // a plain line
        }
      }
    });
    child.on('exit', (code) => resolve({ code, out, events, ms: performance.now() - t0 }));
  });
}

/** Durations of each step id (running → passed/failed) in ms. */
function stepDurations(events) {
  const start = {};
  const dur = {};
  for (const e of events) {
    if (e.event !== 'step' || e.parent) continue;
    if (e.state === 'running') start[e.id] = e.at;
    else if ((e.state === 'passed' || e.state === 'failed') && start[e.id] !== undefined) dur[e.id] = e.at - start[e.id];
  }
  return dur;
}

export async function remoteEngine() {
  const { buildRemoteHostImage, startRemoteHost } = await jiti.import('../../tests/integration/remote-host.ts');
  const w = makeWorld('engv');
  await buildRemoteHostImage();
  const remote = await startRemoteHost({ root: w.root, home: w.home, name: 'engvbench' });
  const env = { ...w.env, ...remote.env };
  const cli = (args, cwd = w.repo) => {
    const t0 = performance.now();
    const out = execFileSync(CLI, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { ms: performance.now() - t0, out };
  };
  const rows = [];
  let id;
  try {
    cli(['create', 'engva', '--json']);
    const b = JSON.parse(cli(['create', 'engvb', '--json']).out).instance;
    id = b.id;
    must({ code: 0, ...cli(['move', id, '--engine', remote.context]) }, 'move');
    // 1. first up there
    const first = await timedCli(['up', id, '--json'], b.path, env);
    if (first.code !== 0) throw new Error(`first remote up failed (${first.code}): ${first.out.slice(-2000)}`);
    const d1 = stepDurations(first.events);
    const doc = JSON.parse(first.out.split('\n').find((l) => l.startsWith('{"schema"')) ?? first.out);
    const split = Object.entries(d1)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    rows.push({
      metric: `first up on the remote engine, total (steps: ${split}; gate ${fmt(doc.gate?.elapsedMs ?? NaN)})`,
      value: fmt(first.ms),
      target: 'report',
      ok: true,
    });
    // 2. second up, nothing changed
    const second = await timedCli(['up', id, '--json'], b.path, env);
    if (second.code !== 0) throw new Error(`second remote up failed (${second.code})`);
    const d2 = stepDurations(second.events);
    rows.push({
      metric: `second up, nothing changed: sync step (total ${fmt(second.ms)})`,
      value: fmt(d2.sync ?? NaN),
      target: '≤ 1 s',
      ok: (d2.sync ?? Infinity) <= 1000,
    });
    // 3. gate detection latency through the forwards
    rows.push(await gateLatencyThroughForwards(w, env, remote));
    // 4. list across two engines ÷ on one, the remote instance stopped (after `down`) with its engine's ssh
    //    connection up (kept after `down`, as after any command on that instance): alternating rounds, medians
    must({ code: 0, ...cli(['down', id]) }, 'down');
    const lists = { one: [], two: [] };
    const listRound = (key) => {
      cli(['list', '--json']);
      for (let i = 0; i < 5; i++) lists[key].push(cli(['list', '--json']).ms);
    };
    for (let round = 0; round < 3; round++) {
      listRound('two');
      must({ code: 0, ...cli(['move', id, '--engine', 'default']) }, 'move back');
      listRound('one');
      must({ code: 0, ...cli(['move', id, '--engine', remote.context]) }, 'move there');
    }
    const [one, two] = [median(lists.one), median(lists.two)];
    // and with no connection up yet (a fresh boot: this `list` opens one ssh connection of its own)
    spawnSync('pkill', ['-f', `ControlPath=${w.home}/`]);
    const cold = cli(['list', '--json']).ms;
    rows.push({
      metric: `list --json, 2 instances: one on the remote engine ÷ both local (${fmt(two)} ÷ ${fmt(one)}), medians of 15, alternating; with no ssh connection up yet: ${fmt(cold)}`,
      value: `×${(two / one).toFixed(2)}`,
      target: '≤ ×1.3',
      ok: two / one <= 1.3,
    });
    return rows;
  } finally {
    try {
      if (id) cli(['destroy', id, '--force']);
    } catch {
      // best effort
    }
    await remote.cleanup();
    w.cleanup();
  }
}

/** A one-service stack whose GET /ready answers 503 until POST /1 (POST /0 turns it back). */
const FLIP_SERVER = `import http.server as h
s = {"ok": False}
class H(h.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def reply(self, code):
        self.send_response(code)
        self.send_header("content-length", "0")
        self.end_headers()
    def do_GET(self):
        self.reply(200 if s["ok"] else 503)
    def do_POST(self):
        s["ok"] = self.path.endswith("/1")
        self.reply(200)
h.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()
`;

async function gateLatencyThroughForwards(w, env, remote) {
  const indented = FLIP_SERVER.split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  const repo = tinyRepo(w.root, 'flip', {
    'compose.yml': [
      'services:',
      '  flip:',
      '    image: ktrdr-sandbox-fixture:1',
      '    stop_grace_period: 1s',
      '    ports: ["127.0.0.1:${BENCH_FLIP_PORT:-18090}:8080"]',
      '    command:',
      '      - python3',
      '      - -c',
      '      - |',
      indented,
      '',
    ].join('\n'),
    'ktrdr-sandbox.yml': [
      'version: 1',
      'compose: { files: [compose.yml] }',
      'ports: [{ name: flip, env: BENCH_FLIP_PORT, slot0: 18090, base: 18090, step: 1 }]',
      'gate: { checks: [{ name: ready, label: Ready, http: { url: "http://127.0.0.1:${BENCH_FLIP_PORT}/ready" } }] }',
      '',
    ].join('\n'),
  });
  const run = (args) => {
    const r = spawnSync(CLI, args, { cwd: repo, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').pop()}`);
    return r.stdout;
  };
  let flipId;
  try {
    const inst = JSON.parse(run(['init', '--json'])).instance; // the lowest free slot
    flipId = inst.id;
    run(['move', flipId, '--engine', remote.context]);
    const port = 18090 + inst.slot;
    const post = (v) => fetch(`http://127.0.0.1:${port}/${v}`, { method: 'POST' }).then((r) => r.arrayBuffer());
    // up gates it too: flip first, or it would wait for the flip
    const up = spawn(CLI, ['up', '--json'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let upOut = '';
    up.stdout.on('data', (d) => (upOut += d));
    up.stderr.on('data', (d) => (upOut += d));
    const upDone = new Promise((r) => up.on('exit', r));
    for (let i = 0; i < 600 && up.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await post(1).catch(() => undefined);
    }
    const code = await upDone;
    if (code !== 0) throw new Error(`up of the flip stack exited ${code}: ${upOut.slice(-1500)}`);
    const samples = [];
    for (let i = 0; i < 7; i++) {
      await post(0);
      const child = spawn(CLI, ['gate', '--timeout', '30'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let flippedAt = 0;
      let armed = false;
      const passedAt = await new Promise((resolve, reject) => {
        const seen = (d) => {
          out += d;
          if (out.includes('Startability Gate:') && !armed) {
            armed = true;
            setTimeout(
              async () => {
                await post(1);
                flippedAt = performance.now();
              },
              600 + Math.random() * 250,
            );
          }
          if (/Startability Gate: PASSED/.test(out)) resolve(performance.now());
        };
        child.stdout.on('data', seen);
        child.stderr.on('data', seen);
        child.on('exit', (c) =>
          /Startability Gate: PASSED/.test(out) ? undefined : reject(new Error(`gate exited ${c}: ${out.slice(-1500)}`)),
        );
      });
      await new Promise((r) => child.on('exit', r));
      samples.push(Math.max(0, passedAt - flippedAt));
    }
    const med = median(samples);
    return {
      metric: `gate detection latency through the forwards (check can pass → PASSED printed), median of 7 [${samples.map((x) => Math.round(x)).join(', ')}]`,
      value: fmt(med),
      target: '≤ 300 ms',
      ok: med <= 300,
    };
  } catch (err) {
    return {
      metric: `gate detection latency through the forwards: not measured (${String(err.message).split('\n')[0]})`,
      value: '—',
      target: '≤ 300 ms',
      ok: false,
    };
  } finally {
    try {
      if (flipId) run(['destroy', flipId, '--force']);
    } catch {
      // best effort
    }
  }
}
