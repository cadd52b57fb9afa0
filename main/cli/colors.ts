// Terminal colours (picocolors), loaded on the first colour asked for. Importing picocolors reads
// process.stdout.isTTY, which makes node build its stdout stream (main/cli/stdio.ts says why we avoid that): the
// `--json` runs, which print no colour, never load it. The CLI build keeps it in node_modules (vite.cli.config.ts).
import { createRequire } from 'node:module';
import type { Colors } from 'picocolors/types';

let colors: Colors | undefined;
const load = (): Colors => (colors ??= createRequire(import.meta.url)('picocolors') as Colors);

type Paint = (text: string | number) => string;
const paint =
  (name: 'blue' | 'bold' | 'cyan' | 'dim' | 'green' | 'magenta' | 'red' | 'yellow'): Paint =>
  (text) =>
    load()[name](text);

/** The colours the CLI uses, each loading picocolors on its first call. */
const pc = {
  blue: paint('blue'),
  bold: paint('bold'),
  cyan: paint('cyan'),
  dim: paint('dim'),
  green: paint('green'),
  magenta: paint('magenta'),
  red: paint('red'),
  yellow: paint('yellow'),
};
export default pc;
