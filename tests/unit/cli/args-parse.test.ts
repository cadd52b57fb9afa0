// main/cli/args/parse.ts: command lines read as commander 14 reads them (the rules scripts rely on), from argv arrays.
import { describe, expect, it } from 'vitest';
import { ArgsError } from '../../../main/cli/args/errors';
import { parseCommandLine, type Parsed } from '../../../main/cli/args/parse';
import { sampleProgram } from './args-fixture';

const parse = (...args: string[]): Parsed => parseCommandLine(sampleProgram(), args);

/** The action's arguments without the trailing command object: positionals, then the options. */
function run(...args: string[]): { path: string; args: unknown[] } {
  const p = parse(...args);
  if (p.kind !== 'action') throw new Error(`expected an action, got ${p.kind}`);
  expect(p.args.at(-1)).toBe(p.command);
  return { path: p.command.path(), args: p.args.slice(0, -1) };
}

function error(...args: string[]): { code: string; message: string } {
  try {
    parse(...args);
  } catch (e) {
    if (e instanceof ArgsError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${args.join(' ')}: no error`);
}

describe('options', () => {
  it('short and long flags, values, `--opt=value`, `-n5`, booleans', () => {
    expect(run('create', 'x', '-b', 'feat', '--force')).toEqual({ path: 'tool create', args: ['x', { branch: 'feat', force: true }] });
    expect(run('create', '--branch=feat', 'x', '-f').args).toEqual(['x', { branch: 'feat', force: true }]);
    expect(run('logs', '-n5').args).toEqual([[], { tail: 5, format: 'sh' }]);
    expect(run('logs', '--tail=7', 'api', 'db').args).toEqual([['api', 'db'], { tail: 7, format: 'sh' }]);
  });

  it('a value option takes the next word whatever it is', () => {
    expect(run('create', 'x', '-b', '--force').args).toEqual(['x', { branch: '--force' }]);
  });

  it('groups of short options: `-zf` sets both; `-f5` is -f and the word -5', () => {
    expect(run('snapshot', 'save', 'n', '-z').args).toEqual(['n', { compress: true }]);
    expect(run('create', '-fs3', 'x').args).toEqual(['x', { force: true, slot: 3 }]);
    expect(run('create', '-f5').args).toEqual(['-5', { force: true }]);
  });

  it('defaults, and custom parsers get the value and what the option held before', () => {
    expect(run('logs').args).toEqual([[], { tail: 100, format: 'sh' }]);
    expect(run('create', 'x', '--path-map', 'a=b', '--path-map', 'c=d').args).toEqual(['x', { pathMap: ['a=b', 'c=d'] }]);
    expect(() => parse('logs', '-n', 'abc')).toThrow('not an integer: abc'); // the parser's own error, not an ArgsError
  });

  it('--no-x: x is true by default, false when given', () => {
    expect(run('list').args).toEqual([{ prune: true }]);
    expect(run('ls', '--no-prune', '--json').args).toEqual([{ prune: false, json: true }]);
  });

  it('--x [list...] with --no-x on the same command: no default; true, the words after it, or false', () => {
    expect(run('create', 'x').args).toEqual(['x', {}]);
    expect(run('create', 'x', '--shared-overlay').args).toEqual(['x', { sharedOverlay: true }]);
    expect(run('create', 'x', '--shared-overlay', 'data', 'models', '-f').args).toEqual([
      'x',
      { sharedOverlay: ['data', 'models'], force: true },
    ]);
    expect(run('create', 'x', '--no-shared-overlay').args).toEqual(['x', { sharedOverlay: false }]);
    expect(run('create', 'x', '--no-snapshot').args).toEqual(['x', { snapshot: false }]);
    // an optional value is not taken from an option; `--x=a b`: b is the command's
    expect(run('create', '--shared-overlay=data', 'x').args).toEqual(['x', { sharedOverlay: ['data'] }]);
    // the list takes the name: the error the hint in program.ts explains
    expect(error('create', '--shared-overlay', 'x')).toEqual({
      code: 'missingArgument',
      message: "error: missing required argument 'name'",
    });
  });

  it('<keys...> with a parser: each word through it, until the next option', () => {
    expect(run('snapshot', 'save', 'n', '--volumes', 'a,b', 'c', '-z').args).toEqual(['n', { volumes: ['a', 'b', 'c'], compress: true }]);
  });

  it('hidden options are options all the same', () => {
    expect(run('sync', '--background').args).toEqual([undefined, { background: true }]);
  });
});

describe('arguments', () => {
  it('required, optional and variadic positionals; `--` ends the options', () => {
    expect(run('sync').args).toEqual([undefined, {}]);
    expect(run('sync', 'a', '-w').args).toEqual(['a', { watch: true }]);
    expect(run('snapshot', 'rm', 'a', 'b').args).toEqual([['a', 'b'], {}]);
    expect(run('sync', '--', '-w').args).toEqual(['-w', {}]);
    expect(run('overlay', 'x', 'on', 'data').args).toEqual([['x', 'on', 'data'], {}]);
  });

  it('a negative number is a word', () => {
    expect(run('sync', '-1').args).toEqual(['-1', {}]);
  });

  it('passThroughOptions: everything from the first positional word on goes to the command', () => {
    expect(run('exec', '-i', 'a', 'ls', '-la', '--help', '-i', 'b').args).toEqual([['ls', '-la', '--help', '-i', 'b'], { instance: 'a' }]);
    expect(run('exec', '--', 'ls', '-la').args).toEqual([['ls', '-la'], {}]);
    expect(run('run', 'api', '-i', 'x', 'pytest').args).toEqual(['api', ['-i', 'x', 'pytest'], {}]);
    expect(run('run', '-i', 'x', 'api').args).toEqual(['api', [], { instance: 'x' }]);
  });
});

describe('sub-commands', () => {
  it('nested commands and aliases; the program takes its own options before the command only', () => {
    expect(run('snapshot', 'ls').path).toBe('tool snapshot list');
    expect(run('ls').path).toBe('tool list');
    expect(error('--json', 'list')).toEqual({ code: 'unknownOption', message: "error: unknown option '--json'" });
  });

  it('--version / -V before the command', () => {
    expect(parse('--version')).toEqual({ kind: 'version', version: '1.2.3' });
    expect(parse('-V')).toEqual({ kind: 'version', version: '1.2.3' });
    expect(error('list', '-V').message).toBe("error: unknown option '-V'");
  });

  it("help: -h/--help anywhere in the command's own words, `help CMD`, and a group without its command", () => {
    const help = (p: Parsed) => (p.kind === 'help' ? [p.command.path(), p.error] : p.kind);
    expect(help(parse('--help'))).toEqual(['tool', false]);
    expect(help(parse('list', '--nope', '-h'))).toEqual(['tool list', false]);
    expect(help(parse('create', '--help', 'extra', 'words'))).toEqual(['tool create', false]);
    expect(help(parse('exec', '--help'))).toEqual(['tool exec', false]);
    expect(help(parse('help'))).toEqual(['tool', false]);
    expect(help(parse('help', 'ls'))).toEqual(['tool list', false]);
    expect(help(parse('snapshot', 'help', 'save'))).toEqual(['tool snapshot save', false]);
    expect(help(parse('snapshot', 'save', '-zh'))).toEqual(['tool snapshot save', false]);
    // on stderr, exit 1: nothing to run
    expect(help(parse())).toEqual(['tool', true]);
    expect(help(parse('snapshot'))).toEqual(['tool snapshot', true]);
    expect(help(parse('help', 'nosuch'))).toEqual(['tool', true]);
    // not help: a value, a word after `--`, a group of unknown options
    expect(run('create', 'x', '-b', '--help').args).toEqual(['x', { branch: '--help' }]);
    expect(run('sync', '--', '--help').args).toEqual(['--help', {}]);
    expect(error('list', '-xh').message).toBe("error: unknown option '-xh'");
  });
});

describe("errors: commander's texts", () => {
  it('unknown option, with the closest long option', () => {
    expect(error('list', '--nope')).toEqual({ code: 'unknownOption', message: "error: unknown option '--nope'" });
    expect(error('list', '--jsn').message).toBe("error: unknown option '--jsn'\n(Did you mean --json?)");
    expect(error('list', '--prune').message).toBe("error: unknown option '--prune'\n(Did you mean --no-prune?)");
    expect(error('list', '--json=1').message).toBe("error: unknown option '--json=1'\n(Did you mean --json?)");
    expect(error('sync', '--backgrund').message).toBe("error: unknown option '--backgrund'"); // hidden: not suggested
    expect(error('--versoin').message).toBe("error: unknown option '--versoin'\n(Did you mean --version?)");
    expect(error('create', '-x').message).toBe("error: unknown option '-x'");
    expect(error('create', '-fx').message).toBe("error: unknown option '-x'");
  });

  it('unknown command, with the closest names (aliases and help included)', () => {
    expect(error('lsit')).toEqual({ code: 'unknownCommand', message: "error: unknown command 'lsit'\n(Did you mean list?)" });
    expect(error('snapshot', 'sav').message).toBe("error: unknown command 'sav'\n(Did you mean save?)");
    expect(error('hlp').message).toBe("error: unknown command 'hlp'\n(Did you mean help?)");
    expect(error('zzzzzz').message).toBe("error: unknown command 'zzzzzz'");
    expect(error('lsit', '--nope').code).toBe('unknownCommand'); // the command is the better error
  });

  it('missing and excess arguments, a missing option value', () => {
    expect(error('create')).toEqual({ code: 'missingArgument', message: "error: missing required argument 'name'" });
    expect(error('exec')).toEqual({ code: 'missingArgument', message: "error: missing required argument 'cmd'" });
    expect(error('list', 'extra')).toEqual({
      code: 'excessArguments',
      message: "error: too many arguments for 'list'. Expected 0 arguments but got 1.",
    });
    expect(error('create', 'a', 'b').message).toBe("error: too many arguments for 'create'. Expected 1 argument but got 2.");
    expect(error('logs', '-n')).toEqual({ code: 'optionMissingArgument', message: "error: option '-n, --tail <n>' argument missing" });
  });

  it('the first unknown option is the error, even among known ones and arguments', () => {
    expect(error('create', 'x', '--nope', '-f', '--worse').message).toBe("error: unknown option '--nope'");
    expect(error('exec', '--nope', 'ls').message).toBe("error: unknown option '--nope'");
  });
});
