// Columns for the terminal: the CLI's tables (list, status, url, ports, …) without borders, each column as wide
// as its widest cell plus two spaces — the layout cli-table3 drew for the options the CLI gave it
// (tests/unit/cli/table.test.ts holds both to the same bytes). Not cli-table3 itself: loading and compiling it,
// with its helpers, took ~7 ms of a human `list` whose whole work is ~20 ms, for padding cells with spaces.
// What is hard about a table on a terminal — how many columns a cell takes (colour codes, CJK, emoji, combining
// marks) — is string-width's, the library cli-table3 measures with; required only for a cell that is not plain
// printable ASCII. Ids, ports, states and ages are, so a `list` loads nothing for its table.
import { createRequire } from 'node:module';
import pc from './colors';

// eslint-disable-next-line no-control-regex -- ESC starts the colour codes (SGR) the CLI writes
const COLOUR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

let stringWidth: ((text: string) => number) | undefined;

/** Columns one line of text takes on a terminal. */
export function displayWidth(line: string): number {
  const plain = line.replace(COLOUR, '');
  if (PRINTABLE_ASCII.test(plain)) return plain.length;
  stringWidth ??= createRequire(import.meta.url)('string-width') as (text: string) => number;
  return stringWidth(line);
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** The head (bold) and the rows, each column padded to its widest cell + 2; a cell's lines stay in its column. */
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
