// A command line the program cannot run: what program.ts turns into one line and a hint (or the error JSON).
// The messages are commander's ("error: unknown option '--x'\n(Did you mean --y?)"): scripts and docs quote them.

export type ArgsErrorCode =
  | 'help' // the help was written to stderr instead of running anything: no sub-command, or `help NOSUCH`
  | 'unknownOption'
  | 'unknownCommand'
  | 'missingArgument'
  | 'optionMissingArgument'
  | 'excessArguments';

export class ArgsError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly code: ArgsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ArgsError';
  }
}
