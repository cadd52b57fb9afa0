// The core does no I/O of its own (issue 12): file system, archives, processes, the environment and the working
// directory come in through the Deps ports (main/core/deps.ts), implemented in main/adapters/. No linter enforces
// it yet, so this test reads every file of main/core and lists the offenders.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '../../../main/core');

const FORBIDDEN: { what: string; re: RegExp }[] = [
  { what: 'node:fs', re: /['"](node:)?fs(\/promises)?['"]/ },
  { what: 'node:child_process', re: /['"](node:)?child_process['"]/ },
  { what: 'node:os', re: /['"](node:)?os['"]/ },
  { what: 'tar', re: /(from|import\()\s*['"]tar['"]/ },
  { what: 'process.env', re: /process\.env\b/ },
  { what: 'process.cwd', re: /process\.cwd\b/ },
  { what: 'process.kill', re: /process\.kill\b/ },
  { what: 'process.pid', re: /process\.pid\b/ },
  { what: 'process.platform', re: /process\.(platform|arch)\b/ },
  { what: 'an adapter', re: /from\s+['"](\.\.\/)+adapters\// },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function offencesIn(name: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => FORBIDDEN.filter((f) => f.re.test(line)).map((f) => `${name}:${i + 1}: ${f.what}`));
}

function offences(file: string): string[] {
  return offencesIn(relative(CORE, file), readFileSync(file, 'utf8'));
}

describe('main/core does no I/O of its own', () => {
  const files = sources(CORE);

  it('reads the core (the guard can see the files it guards)', () => {
    expect(files.length).toBeGreaterThan(50);
    // each kind of offence is seen (the core has none left to find)
    const sample = [
      "import { existsSync } from 'node:fs';",
      "import { readFile } from 'fs/promises';",
      "import { execFile } from 'node:child_process';",
      "import { hostname } from 'node:os';",
      "import * as tar from 'tar';",
      'const home = process.env.HOME;',
      'const here = process.cwd();',
      'process.kill(pid, 0);',
      'const me = process.pid;',
      "const sep = process.platform === 'win32' ? ';' : ':';",
      "import { nodeFiles } from '../adapters/files';",
    ].join('\n');
    expect(offencesIn('sample.ts', sample).map((o) => o.split(': ')[1])).toEqual(
      FORBIDDEN.map((f) => f.what).flatMap((w) => (w === 'node:fs' ? [w, w] : [w])),
    );
  });

  it('no file of main/core imports node:fs, node:child_process, node:os, tar or an adapter, or reads process.env/cwd/pid/platform', () => {
    const found = files.flatMap(offences);
    expect(found, `I/O in main/core (go through a Deps port):\n${found.join('\n')}`).toEqual([]);
  });
});
