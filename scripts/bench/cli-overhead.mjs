// exec -- true and env: wall-clock overhead of the CLI (median of 21), next to bare node start-up.
import { spawnSync } from 'node:child_process';
import { fmt, makeWorld, median, must, time } from './lib.mjs';

export async function cliOverhead() {
  const w = makeWorld();
  try {
    const inst = must(w.cli(['create', 'bench-cli', '--json']), 'create').json.instance;
    const runs = (args) => {
      w.cli(args, inst.path);
      return median(Array.from({ length: 21 }, () => w.cli(args, inst.path).ms));
    };
    const node = median(Array.from({ length: 21 }, () => time(() => spawnSync('node', ['-e', ''], { env: w.env }))));
    const exec = runs(['exec', '--', 'true']);
    const env = runs(['env']);
    return [
      { metric: 'node -e "" (baseline, not a target)', value: fmt(node), target: '-', ok: true },
      { metric: '`exec -- true` wall, median of 21', value: fmt(exec), target: '≤ 150 ms', ok: exec <= 150 },
      { metric: '`env` wall, median of 21', value: fmt(env), target: '≤ 150 ms', ok: env <= 150 },
    ];
  } finally {
    w.cleanup();
  }
}
