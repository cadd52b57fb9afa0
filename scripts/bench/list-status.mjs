// list --json and status --json with 10 registered instances (one of them running): median of 15.
import { fmt, makeWorld, median, must } from './lib.mjs';

export async function listStatus() {
  const w = makeWorld();
  try {
    const insts = [];
    for (let i = 0; i < 10; i++) insts.push(must(w.cli(['create', `b${i}`, '--json']), 'create').json.instance);
    must(w.cli(['up', '--json'], insts[0].path), 'up');
    const m = (args, cwd) => {
      w.cli(args, cwd);
      return median(Array.from({ length: 15 }, () => must(w.cli(args, cwd), args[0]).ms));
    };
    const list = m(['list', '--json']);
    const status = m(['status', '--json'], insts[0].path);
    return [
      { metric: '`list --json`, 10 instances, median of 15', value: fmt(list), target: '≤ 200 ms', ok: list <= 200 },
      { metric: '`status --json` (running instance), median of 15', value: fmt(status), target: '≤ 200 ms', ok: status <= 200 },
    ];
  } finally {
    w.cleanup();
  }
}
