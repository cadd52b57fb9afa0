// list --json and status --json with 10 registered instances, one of them running: median of 15, interleaved
// with bare node start-up; the budget is a ratio to that node start (≤ 2 ×, see cli-overhead.mjs). Measured
// once the stack has settled (a stack that just started is busy for a few
// seconds), and the running stack's own healthchecks (a `docker exec` every second or two) still load a
// 2-core machine: the bare-node figure beside them shows by how much.
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, interleaved, makeWorld, must, time } from './lib.mjs';

export async function listStatus() {
  const w = makeWorld();
  try {
    const insts = [];
    for (let i = 0; i < 10; i++) insts.push(must(w.cli(['create', `b${i}`, '--json']), 'create').json.instance);
    must(w.cli(['up', '--json'], insts[0].path), 'up');
    const cli = (args, cwd) => () => must(w.cli(args, cwd), args[0]).ms;
    w.cli(['list', '--json']); // a first run writes the compose-model cache
    await sleep(15_000);
    const m = interleaved(15, {
      node: () => time(() => spawnSync('node', ['-e', '0'], { env: w.env })),
      list: cli(['list', '--json']),
      running: cli(['status', '--json'], insts[0].path),
      stopped: cli(['status', '--json'], insts[1].path),
    });
    const ratio = (ms) => `${(ms / m.node).toFixed(2)} ×`;
    return [
      { metric: 'node -e 0 beside the running stack (not a target)', value: fmt(m.node), target: '-', ok: true },
      {
        metric: `\`list --json\`, 10 instances (1 running): ${fmt(m.list)}, ratio to node`,
        value: ratio(m.list),
        target: '≤ 2 ×',
        ok: m.list <= 2 * m.node,
      },
      {
        metric: `\`status --json\`, running instance (9 containers, 5 endpoints probed): ${fmt(m.running)}, ratio to node`,
        value: ratio(m.running),
        target: '≤ 2 ×',
        ok: m.running <= 2 * m.node,
      },
      {
        metric: `\`status --json\`, stopped instance: ${fmt(m.stopped)}, ratio to node`,
        value: ratio(m.stopped),
        target: '≤ 2 ×',
        ok: m.stopped <= 2 * m.node,
      },
    ];
  } finally {
    w.cleanup();
  }
}
