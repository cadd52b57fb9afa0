// exec -- true and env: wall clock of the CLI as users run it (the linked command, launcher included), median
// of 21 interleaved with bare node start-up and the command alone.
import { spawnSync } from 'node:child_process';
import { fmt, interleaved, makeWorld, must, time } from './lib.mjs';

export async function cliOverhead() {
  const w = makeWorld();
  try {
    const inst = must(w.cli(['create', 'bench-cli', '--json']), 'create').json.instance;
    const cli = (args) => () => must(w.cli(args, inst.path), args[0]).ms;
    const bare = (cmd, args, env = w.env) => () => time(() => spawnSync(cmd, args, { env }));
    w.cli(['env'], inst.path); // first run writes V8's code cache
    const noCa = { ...w.env };
    delete noCa.NODE_EXTRA_CA_CERTS;
    const m = interleaved(21, {
      node: bare('node', ['-e', '']),
      nodeNoCa: bare('node', ['-e', ''], noCa),
      trueAlone: bare('true', []),
      exec: cli(['exec', '--', 'true']),
      env: cli(['env']),
    });
    const ca = w.env.NODE_EXTRA_CA_CERTS ? ` (NODE_EXTRA_CA_CERTS set: ${fmt(m.node)}; without: ${fmt(m.nodeNoCa)})` : '';
    return [
      { metric: `node -e "" (node start-up alone, not a target)${ca}`, value: fmt(m.node), target: '-', ok: true },
      { metric: '`exec -- true` overhead (wall − `true` alone), median of 21', value: fmt(m.exec - m.trueAlone), target: '≤ 150 ms', ok: m.exec - m.trueAlone <= 150 },
      { metric: '`env` wall, median of 21', value: fmt(m.env), target: '≤ 150 ms', ok: m.env <= 150 },
    ];
  } finally {
    w.cleanup();
  }
}
