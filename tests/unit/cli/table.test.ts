// The CLI's tables are drawn by main/cli/table.ts; they used to be cli-table3's (no borders, compact, padding
// 0/2, bold head), which stays a dev dependency for this test. The same rows through both must give the same
// text, byte for byte: plain and coloured cells, wide (CJK) and emoji characters, combining and control
// characters, multi-line and empty cells. (Every row has the head's cells.)
import Table from 'cli-table3';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { displayWidth, table } from '../../../main/cli/table';

function cliTable3(head: string[], rows: (string | number)[][]): string {
  const none = Object.fromEntries(
    ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right']
      .concat(['left', 'left-mid', 'mid', 'mid-mid', 'right', 'right-mid', 'middle'])
      .map((k) => [k, '']),
  );
  const t = new Table({
    head: head.map((h) => pc.bold(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: none,
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

const CASES: Array<[string, string[], (string | number)[][]]> = [
  [
    'list',
    ['INSTANCE', 'SLOT', 'STATUS', 'API PORT', 'CREATED'],
    [
      ['ktrdr--a', 1, 'running', 8001, '2 minutes ago'],
      ['ktrdr--feature-b', 10, 'stopped', '', '3 days ago'],
    ],
  ],
  ['no rows', ['NAME', 'URL'], []],
  [
    'coloured cells',
    ['A', 'STATUS'],
    [
      ['x', pc.green('running')],
      ['longer', pc.red('engine unreachable')],
    ],
  ],
  [
    'wide characters',
    ['NAME', 'PATH'],
    [
      ['日本語', '/home/ユーザー/src'],
      ['ｆｕｌｌ', 'x'],
    ],
  ],
  [
    'emoji',
    ['A', 'B'],
    [
      ['😀 ok', '👨‍👩‍👧 family'],
      ['🇫🇷', '✔️ done ✓'],
    ],
  ],
  [
    'multi-line and empty cells',
    ['A', 'B', 'C'],
    [
      ['one\ntwo', '', 'c'],
      ['', '', ''],
    ],
  ],
  ['combining and control characters', ['A', 'B'], [['e\u0301te\u0301', 'tab\there']]],
];

describe('table', () => {
  it.each(CASES)('%s: the same text as cli-table3', (_what, head, rows) => {
    expect(table(head, rows)).toBe(cliTable3(head, rows));
  });

  it('with colours on too (bold head)', () => {
    const c = pc.createColors(true);
    const head = ['INSTANCE', 'STATUS'].map((h) => c.bold(h));
    const rows = [['a', c.green('running')]];
    // the head is already styled: both render it as given
    expect(table(['INSTANCE', 'STATUS'], rows).split('\n')[1]).toBe(cliTable3(['INSTANCE', 'STATUS'], rows).split('\n')[1]);
    expect(displayWidth(head[0]!)).toBe('INSTANCE'.length);
  });

  it('measures plain ASCII itself and asks string-width for the rest', () => {
    // a plain cell is its length (colour codes aside); anything else goes to string-width, whose answers
    // cli-table3 pads with — so the two agree however wide the characters
    expect(displayWidth('ktrdr--feature-b  8001  2 minutes ago')).toBe(37);
    expect(displayWidth(`${pc.createColors(true).green('running')} x`)).toBe(9);
    expect(displayWidth('tab\there')).toBe(7); // a control character: string-width's answer (0 for the tab)
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
  });

  it('measures what a terminal shows', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth(pc.createColors(true).red('abc'))).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});
