// main/cli/args/help.ts: commander's help layout (checked against commander 14 on this tree before it left), so
// the help text users and docs know stays as it was.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../main/cli/args/command';
import { helpText, wrap } from '../../../main/cli/args/help';
import { sampleProgram } from './args-fixture';

function help(path: string[], width = 80): string {
  let c: Command = sampleProgram();
  for (const w of path) c = c.findCommand(w)!;
  return helpText(c, width);
}

describe('helpText', () => {
  it('the program: usage, description, options, commands (help last), the text added after', () => {
    expect(help([])).toBe(`Usage: tool [options] [command]

A sample program.

Options:
  -V, --version                     output the version number
  -h, --help                        display help for command

Commands:
  create [options] <name>           create one
  list|ls [options]                 all of them
  logs [options] [services...]
  exec [options] <cmd...>
  run [options] <service> [cmd...]
  sync [options] [id]
  snapshot                          volume snapshots
  wrap [options]                    a description long enough to be wrapped at
                                    eighty columns, which is the width off a
                                    terminal, and at sixty
  overlay [args...]
  help [command]                    display help for command

More: README.md
`);
  });

  it('a command: its options in order, both --x [list...] and --no-x, -h last; no text of the program', () => {
    expect(help(['create'])).toBe(`Usage: tool create [options] <name>

create one

Options:
  -b, --branch <branch>          the branch
  -s, --slot <n>                 port slot
  --snapshot <name>              from this snapshot
  --no-snapshot                  start empty
  -f, --force                    force it
  --path-map <LOCAL=REMOTE>      repeatable
  --shared-overlay [folders...]  overlay (all, or those named)
  --no-shared-overlay            read-write
  -h, --help                     display help for command
`);
  });

  it('defaults of value options are shown, hidden options are not, aliases and parents are in the usage', () => {
    expect(help(['logs'])).toContain(
      '  -n, --tail <n>     lines per service (default: 100)\n  --format <format>  sh | json (default: "sh")\n',
    );
    expect(help(['sync'])).not.toContain('--background');
    expect(help(['snapshot', 'ls'])).toMatch(/^Usage: tool snapshot list\|ls \[options\]\n\nevery snapshot\n/);
    expect(help(['snapshot'])).toContain('Usage: tool snapshot [options] [command]\n');
    expect(help(['snapshot'])).toContain('\n  rm <names...>\n');
    expect(help(['overlay'])).toMatch(
      /^Usage: tool overlay \[ID\] on \[FOLDER…\] \| off\n\nOptions:\n {2}-h, --help {2}display help for command\n$/,
    );
  });

  it('descriptions wrap to the width, item descriptions under their first line; not when under 40 columns are left', () => {
    expect(help(['wrap'])).toBe(`Usage: tool wrap [options]

a description long enough to be wrapped at eighty columns, which is the width
off a terminal, and at sixty

Options:
  -p, --port <port>  port to listen on (default: any free port), a description
                     wrapped under its first line (default: 0)
  --keep             a short one
  -h, --help         display help for command
`);
    expect(help(['wrap'], 60)).toContain(
      'a description long enough to be wrapped at eighty columns,\nwhich is the width off a terminal, and at sixty\n',
    );
    expect(help(['wrap'], 60)).toContain(
      '  -p, --port <port>  port to listen on (default: any free port), a description wrapped under its first line (default: 0)\n',
    );
  });
});

describe('wrap', () => {
  it('breaks at whitespace, keeps its own line breaks, leaves a word longer than the width whole', () => {
    expect(wrap('aaa bbb ccc ddd eee fff ggg hhh iii jjj kkk lll mmm nnn ooo ppp', 40)).toBe(
      'aaa bbb ccc ddd eee fff ggg hhh iii jjj\nkkk lll mmm nnn ooo ppp',
    );
    expect(wrap('one\n\ntwo', 40)).toBe('one\n\ntwo');
    expect(wrap(`${'x'.repeat(50)} y`, 40)).toBe(`${'x'.repeat(50)}\ny`);
    expect(wrap('aaa bbb ccc', 39)).toBe('aaa bbb ccc');
  });
});
