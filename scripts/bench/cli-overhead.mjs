// exec -- true and env: wall clock of the CLI (median of 21), next to bare node start-up and the command alone.
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
    const bare = (cmd, args) => median(Array.from({ length: 21 }, () => time(() => spawnSync(cmd, args, { env: w.env }))));
    const node = bare('node', ['-e', '']);
    const trueAlone = bare('true', []);
    const exec = runs(['exec', '--', 'true']);
    const env = runs(['env']);
    return [
      { metric: 'node -e "" (node start-up alone, not a target)', value: fmt(node), target: '-', ok: true },
      { metric: '`exec -- true` overhead (wall − `true` alone), median of 21', value: fmt(exec - trueAlone), target: '≤ 150 ms', ok: exec - trueAlone <= 150 },
      { metric: '  of which beyond node start-up', value: fmt(exec - node), target: '-', ok: true },
      { metric: '`env` wall, median of 21', value: fmt(env), target: '≤ 150 ms', ok: env <= 150 },
      { metric: '  of which beyond node start-up', value: fmt(env - node), target: '-', ok: true },
    ];
  } finally {
    w.cleanup();
  }
}
