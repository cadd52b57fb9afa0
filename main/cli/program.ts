// The program the CLI starts from: name, version, exit codes, help, and where a refused command line ends.
// Every failure that is not a command's own (a command line the parser refuses, an option value refused by the
// validator, anything thrown outside a command body) ends here as ONE line and a hint, or the error JSON
// document with --json, exit 1: never a stack trace (unless --verbose / KTRDR_SANDBOX_DEBUG).
import { Command } from './args/command';
import { ArgsError } from './args/errors';
import { helpText } from './args/help';
import { parseCommandLine } from './args/parse';
import { SandboxError } from '../core/errors';
import { version } from '../version';
import { renderError } from './render';
import { writeStderr, writeStdout } from './stdio';

export function createProgram(): Command {
  return new Command('ktrdr-sandbox')
    .description('Run several complete, isolated development stacks of one project side by side.')
    .version(version)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok · 1 usage/state error · 2 gate failed · 3 port conflict · 4 Docker unavailable\nDocs: README.md (CLI reference, JSON schemas, troubleshooting)',
    );
}

/** The arguments before a `--` separator (what follows belongs to the command `run`/`exec` start). */
function ownArgs(argv: string[]): string[] {
  const args = argv.slice(2);
  const sep = args.indexOf('--');
  return sep === -1 ? args : args.slice(0, sep);
}

/** The parser's errors as USAGE errors: one line, a hint. */
export function usageErrorOf(err: ArgsError, argv: string[]): SandboxError {
  const lines = err.message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const message = lines.join(' ') || 'Invalid command line';
  const first = ownArgs(argv).find((a) => !a.startsWith('-'));
  // a misspelt command word has no help of its own: `lsit` → the list of commands, `snapshot lsit` → snapshot's
  const unknown = err.code === 'unknownCommand' ? /unknown command '([^']*)'/.exec(err.message)?.[1] : undefined;
  const command = unknown !== undefined && unknown === first ? undefined : first;
  const hint =
    err.code === 'help' ? undefined : `Run \`ktrdr-sandbox ${command && !/\s/.test(command) ? `${command} ` : ''}--help\` for usage.`;
  if (err.code === 'help') {
    // the help text is already on stderr: `ktrdr-sandbox` alone, or `ktrdr-sandbox help NOSUCH`
    const words = ownArgs(argv).filter((a) => !a.startsWith('-'));
    const what = words[0] === 'help' && words[1] ? `Unknown command ${JSON.stringify(words[1])}` : 'No command given';
    return new SandboxError('USAGE', what, { hint: 'Run `ktrdr-sandbox --help` for the list of commands.' });
  }
  // An option taking a list (`--shared-overlay [FOLDER…]`, `--volumes KEY…`) takes every word after it: a missing
  // argument then usually stood right behind it (`create --shared-overlay feat-x`).
  const list = ownArgs(argv).find((a) => LIST_OPTIONS.includes(a));
  if (err.code === 'missingArgument' && list)
    return new SandboxError('USAGE', message.charAt(0).toUpperCase() + message.slice(1), {
      hint: `${list} takes the words after it as its list: put the command's own arguments first (\`ktrdr-sandbox ${command ?? 'create'} NAME ${list}\`).`,
    });
  return new SandboxError('USAGE', message.charAt(0).toUpperCase() + message.slice(1), hint ? { hint } : {});
}

/** The options whose value is a list of words (variadic options). */
const LIST_OPTIONS = ['--shared-overlay', '--volumes'];

function fail(err: unknown, argv: string[]): void {
  const own = ownArgs(argv);
  const e = err instanceof ArgsError ? usageErrorOf(err, argv) : err;
  process.exitCode = renderError(e, own.includes('--json'), own.includes('--verbose'));
}

/** The width help is wrapped to: the terminal's, 80 off a terminal. */
function widthOf(stream: NodeJS.WriteStream): number {
  return stream.isTTY ? stream.columns : 80;
}

/** Parse argv and run the command, or print the help or version it asks for. */
async function parseAndRun(program: Command, argv: string[]): Promise<void> {
  const parsed = parseCommandLine(program, argv.slice(2));
  if (parsed.kind === 'version') {
    writeStdout(`${parsed.version}\n`);
    process.exit(0);
  }
  if (parsed.kind === 'help') {
    const text = helpText(parsed.command, widthOf(parsed.error ? process.stderr : process.stdout));
    (parsed.error ? writeStderr : writeStdout)(text);
    // `ktrdr-sandbox` alone, `ktrdr-sandbox help NOSUCH`: the help is on stderr, the error line follows it
    if (parsed.error) throw new ArgsError('help', '(outputHelp)');
    process.exit(0);
  }
  await parsed.command.handler?.(...parsed.args);
}

/** Parse argv and run the command (output goes through stdio.ts, which also ends quietly on a closed pipe). */
export function runProgram(program: Command, argv: string[]): void {
  // Last resort: an error escaping every handler is still one line (and valid JSON with --json), exit 1.
  const last = (err: unknown) => {
    fail(err, argv);
    process.exit(process.exitCode ?? 1);
  };
  process.on('uncaughtException', last);
  process.on('unhandledRejection', last);
  parseAndRun(program, argv).catch((err: unknown) => fail(err, argv));
}
