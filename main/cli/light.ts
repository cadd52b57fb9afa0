// The light CLI: the commands agents run in tight loops (env, exec, url, open, list, status) in a small
// bundle of their own (dist/cli-light.cjs), because node itself takes ~90 ms to start here and `exec`/`env`
// have a 150 ms budget. The same register functions are part of the full CLI (main/cli/index.ts), so
// behaviour and help are identical whichever bundle runs a command. bin/ktrdr-sandbox.cjs tries this one first.
import { registerEnv } from './commands/env';
import { registerOverview } from './commands/overview';
import { createProgram, runProgram } from './program';
import { createRuntime } from './runtime';

function buildLightProgram() {
  const program = createProgram();
  const rt = createRuntime();
  registerEnv(program, rt);
  registerOverview(program, rt);
  return program;
}

/** Run argv when its command is one of the light ones; false when the full CLI must take it. */
export function main(argv: string[]): boolean {
  const program = buildLightProgram();
  const name = argv[2];
  const known = program.commands.some((c) => c.name() === name || c.aliases().includes(name ?? ''));
  if (!known) return false;
  runProgram(program, argv);
  return true;
}
