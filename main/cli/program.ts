// The commander program both CLI bundles start from: name, version, exit codes, and a quiet EPIPE.
import { Command } from 'commander';
import { version } from '../version';

export function createProgram(): Command {
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
  return program;
}

/** Parse argv and run the command. `ktrdr-sandbox list | head` closes the pipe early: that is not an error. */
export function runProgram(program: Command, argv: string[]): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  void program.parseAsync(argv);
}
