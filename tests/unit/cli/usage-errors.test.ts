// The parser's errors (main/cli/args) as our USAGE errors (main/cli/program.ts usageErrorOf): one line, a hint — and for a
// missing argument after an option that takes a list, the hint says why.
import { describe, expect, it } from 'vitest';
import { ArgsError } from '../../../main/cli/args/errors';
import { usageErrorOf } from '../../../main/cli/program';

const argv = (...a: string[]) => ['node', 'ktrdr-sandbox', ...a];
const missing = () => new ArgsError('missingArgument', "error: missing required argument 'name'");

describe('usageErrorOf', () => {
  it('a missing argument: one line, the command help as the hint', () => {
    const e = usageErrorOf(missing(), argv('create'));
    expect([e.code, e.message, e.hint]).toEqual([
      'USAGE',
      "Missing required argument 'name'",
      'Run `ktrdr-sandbox create --help` for usage.',
    ]);
  });

  it('after an option that takes a list, the hint says the list took the word', () => {
    const e = usageErrorOf(missing(), argv('create', '--shared-overlay', 'feat-x'));
    expect(e.hint).toBe(
      "--shared-overlay takes the words after it as its list: put the command's own arguments first (`ktrdr-sandbox create NAME --shared-overlay`).",
    );
  });

  it('an unknown option keeps the plain hint even when a list option is there', () => {
    const e = usageErrorOf(
      new ArgsError('unknownOption', "error: unknown option '--nope'"),
      argv('create', 'x', '--shared-overlay', '--nope'),
    );
    expect(e.hint).toBe('Run `ktrdr-sandbox create --help` for usage.');
  });

  it('a misspelt command: the hint points at the help that lists the commands, not at the misspelt word', () => {
    const top = usageErrorOf(new ArgsError('unknownCommand', "error: unknown command 'lsit'\n(Did you mean list?)"), argv('lsit'));
    expect([top.message, top.hint]).toEqual(["Unknown command 'lsit' (Did you mean list?)", 'Run `ktrdr-sandbox --help` for usage.']);
    const sub = usageErrorOf(new ArgsError('unknownCommand', "error: unknown command 'lsit'"), argv('snapshot', 'lsit'));
    expect(sub.hint).toBe('Run `ktrdr-sandbox snapshot --help` for usage.');
  });
});
