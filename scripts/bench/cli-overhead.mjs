// The start-up budget (issue 12), as a ratio: `env`, `list --json` and `status --json` each take at most
// 2 × a bare `node -e 0` measured in the same run (the command's own work no more than node's start), with
// NODE_EXTRA_CA_CERTS unset and set to a real CA bundle (node then parses it before running a line: that
// cost lands on both sides of the ratio). Median of 21 runs, interleaved with node, of the command as npm
// links it; `list` and `status` as a person types them (a table, labelled lines) too. `exec -- true` is reported
// beside it (its overhead over `true` alone).
// `list` and `status` each make one Docker API call (GET /containers/json over the engine's socket): a bare
// node making that same call, with the same request options as our client (main/adapters/docker-api.ts:
// `servername: ''`, which spares node's TLS server-name guess, an IPv6 regex of ~6 ms), is measured too, so their
// ratio splits into node's start, the Docker call (node's http module + the engine's answer) and the rest, which
// is ours.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fmt, interleaved, makeWorld, must, time } from './lib.mjs';

const CA_BUNDLE = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'].find((f) =>
  existsSync(f),
);
const BUDGET = 2;

const CALL = (label, done) => `
const socketPath = (process.env.DOCKER_HOST || '').startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
const path = '/containers/json?all=true&filters=' + encodeURIComponent(JSON.stringify({ label: [${label}] }));
require('node:http').get({ socketPath, path, headers: { accept: 'application/json' }, servername: '' }, (res) => {
  let body = '';
  res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => { ${done} });
});`;

/** A bare node making one Docker API call like `list`/`status` do: GET /containers/json filtered by label. */
const DOCKER_CALL = CALL('process.argv[1]', 'JSON.parse(body);');

export async function cliOverhead() {
  const w = makeWorld();
  try {
    const insts = [];
    for (let i = 0; i < 3; i++) insts.push(must(w.cli(['create', `bench-cli-${i}`, '--json']), 'create').json.instance);
    const here = insts[0].path;
    const rows = [];
    const modes = [['unset', undefined], ...(CA_BUNDLE ? [[`set (${CA_BUNDLE})`, CA_BUNDLE]] : [])];
    for (const [label, ca] of modes) {
      const env = { ...w.env };
      delete env.NODE_EXTRA_CA_CERTS;
      if (ca) env.NODE_EXTRA_CA_CERTS = ca;
      const cli = (args) => () => must(w.cli(args, here, env), args[0]).ms;
      cli(['env'])(); // a first run (caches, if any, are written)
      cli(['list', '--json'])();
      const m = interleaved(21, {
        node: () => time(() => spawnSync('node', ['-e', '0'], { env })),
        env: cli(['env']),
        list: cli(['list', '--json']),
        status: cli(['status', '--json']),
        listHuman: cli(['list']),
        statusHuman: cli(['status']),
        listCall: () => time(() => spawnSync('node', ['-e', DOCKER_CALL, 'com.docker.compose.project'], { env })),
        statusCall: () => time(() => spawnSync('node', ['-e', DOCKER_CALL, `com.docker.compose.project=${insts[0].id}`], { env })),
        trueAlone: () => time(() => spawnSync('true', [], { env })),
        exec: cli(['exec', '--', 'true']),
      });
      rows.push({ metric: `node -e 0 (NODE_EXTRA_CA_CERTS ${label}), median of 21`, value: fmt(m.node), target: '-', ok: true });
      for (const [name, what] of [
        ['env', '`env`'],
        ['list', '`list --json`, 3 instances'],
        ['status', '`status --json`, stopped instance'],
        ['listHuman', '`list` (its table, as typed by a person)'],
        ['statusHuman', '`status` (as typed), stopped instance'],
      ]) {
        const ratio = m[name] / m.node;
        rows.push({
          metric: `${what} (CA ${ca ? 'set' : 'unset'}): ${fmt(m[name])}, ratio to node`,
          value: `${ratio.toFixed(2)} ×`,
          target: `≤ ${BUDGET} ×`,
          ok: ratio <= BUDGET,
        });
      }
      for (const [name, call] of [
        ['list', 'listCall'],
        ['status', 'statusCall'],
      ]) {
        const docker = (m[call] - m.node) / m.node;
        rows.push({
          metric: `\`${name} --json\` (CA ${ca ? 'set' : 'unset'}) split: node's start 1 + its Docker call (bare node making it: ${fmt(m[call])}) + ours`,
          value: `1 + ${docker.toFixed(2)} + ${((m[name] - m[call]) / m.node).toFixed(2)}`,
          target: '-',
          ok: true,
        });
      }
      rows.push({
        metric: `\`exec -- true\` overhead over \`true\` alone (CA ${ca ? 'set' : 'unset'})`,
        value: fmt(m.exec - m.trueAlone),
        target: '-',
        ok: true,
      });
    }
    return rows;
  } finally {
    w.cleanup();
  }
}
