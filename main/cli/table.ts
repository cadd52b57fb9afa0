// Columns for the terminal: the CLI's tables (list, status, url, ports, …) without borders, each column as wide
// as its widest cell plus two spaces. Written here rather than loaded from cli-table3: with its colour and
// string-width helpers that library was ~45 kB every command read at start-up, tables or not. The output is
// cli-table3's for the options the CLI used (tests/unit/cli/table.test.ts compares both).
import pc from 'picocolors';

// eslint-disable-next-line no-control-regex -- ESC starts the colour codes this strips
const ANSI = /\u001b\[(?:\d*;){0,5}\d*m/g;
// RGI emoji (a flag, a family, a keycap, a skin tone: one sequence) take two columns. Built at the first table,
// not at start-up.
let emoji: RegExp | undefined;

/** East Asian wide and fullwidth code points (Unicode's EastAsianWidth.txt, as is-fullwidth-code-point 3 has them). */
function isWide(c: number): boolean {
  return (
    c >= 0x1100 &&
    (c <= 0x115f ||
      c === 0x2329 ||
      c === 0x232a ||
      (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) ||
      (c >= 0x3250 && c <= 0x4dbf) ||
      (c >= 0x4e00 && c <= 0xa4c6) ||
      (c >= 0xa960 && c <= 0xa97c) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe10 && c <= 0xfe19) ||
      (c >= 0xfe30 && c <= 0xfe6b) ||
      (c >= 0xff01 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1b000 && c <= 0x1b001) ||
      (c >= 0x1f200 && c <= 0x1f251) ||
      (c >= 0x20000 && c <= 0x3fffd))
  );
}

/** Columns one line of text takes on a terminal: colour codes none, control and combining characters none. */
export function displayWidth(line: string): number {
  emoji ??= new RegExp('\\p{RGI_Emoji}', 'gv');
  const s = line.replace(ANSI, '').replace(emoji, '  ');
  let width = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0x300 && c <= 0x36f)) continue;
    width += isWide(c) ? 2 : 1;
  }
  return width;
}

export function table(head: string[], rows: (string | number)[][]): string {
  const all = [head.map((h) => pc.bold(h)), ...rows.map((r) => r.map(String))].filter((r, i) => i > 0 || r.length > 0);
  const columns = Math.max(0, ...all.map((r) => r.length));
  const widths = Array.from(
    { length: columns },
    (_, c) => Math.max(...all.map((r) => Math.max(...(r[c] ?? '').split('\n').map(displayWidth)))) + 2,
  );
  const out: string[] = [];
  for (const row of all) {
    const cells = widths.map((_, c) => (row[c] ?? '').split('\n'));
    const height = Math.max(...cells.map((l) => l.length));
    for (let i = 0; i < height; i++) out.push(cells.map((l, c) => pad(l[i] ?? '', widths[c]!)).join(''));
  }
  return out.join('\n');
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
