// list --json and status --json with 10 registered instances, one of them running: median of 15, interleaved
// with bare node start-up. Measured once the stack has settled (a stack that just started is busy for a few
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
    w.cli(['list', '--json']); // first run writes V8's code cache and the compose-model cache
    await sleep(15_000);
    const m = interleaved(15, {
      node: () => time(() => spawnSync('node', ['-e', ''], { env: w.env })),
      list: cli(['list', '--json']),
      running: cli(['status', '--json'], insts[0].path),
      stopped: cli(['status', '--json'], insts[1].path),
    });
    return [
      { metric: 'node -e "" beside the running stack (not a target)', value: fmt(m.node), target: '-', ok: true },
      { metric: '`list --json`, 10 instances (1 running), median of 15', value: fmt(m.list), target: '≤ 200 ms', ok: m.list <= 200 },
      { metric: '`status --json`, running instance (9 containers, 5 endpoints probed), median of 15', value: fmt(m.running), target: '≤ 200 ms', ok: m.running <= 200 },
      { metric: '`status --json`, stopped instance, median of 15', value: fmt(m.stopped), target: '≤ 200 ms', ok: m.stopped <= 200 },
    ];
  } finally {
    w.cleanup();
  }
}
