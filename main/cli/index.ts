// ktrdr-sandbox: the command-line surface. Parses arguments, calls the core, renders. Nothing else.
import { Command } from 'commander';
import { registerAgent } from './commands/agent';
import { registerInspect } from './commands/inspect';
import { registerDashboard } from './commands/dashboard';
import { registerLifecycle } from './commands/lifecycle';
import { registerEvidence } from './commands/evidence';
import { registerShared } from './commands/shared';
import { registerDoctor } from './commands/doctor';
import { createRuntime } from './runtime';
import { version } from '../version';

export function buildProgram(): Command {
  const rt = createRuntime();
  const program = new Command('ktrdr-sandbox')
    .description('Run several complete, isolated development stacks of one project side by side.')
    .version(version)
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok · 1 usage/state error · 2 gate failed · 3 port conflict · 4 Docker unavailable\nDocs: README.md (CLI reference, JSON schemas, troubleshooting)',
    );
  program.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 1);
  });
  registerLifecycle(program, rt);
  registerInspect(program, rt);
  registerDashboard(program, rt);
  registerAgent(program, rt);
  registerEvidence(program, rt);
  registerShared(program, rt);
  registerDoctor(program, rt);
  return program;
}

// `ktrdr-sandbox list | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

void buildProgram().parseAsync(process.argv);
