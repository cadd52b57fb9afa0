// env output safe to source in every format, and hand edits of .env.sandbox detected (issue 9, item 7).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envFileChanges, handEdited, parseEnvFile, renderEnvFile, writtenByUs } from '../../../main/core/envfile';
import { dotenvQuote, fishQuote, formatEnv } from '../../../main/core/use-cases/instance-env';

const dir = mkdtempSync(join(tmpdir(), 'sbx-env-'));
const marker = join(dir, 'PWNED');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostile: Record<string, string> = {
  SUBST: `$(touch ${marker})`,
  BACKTICK: `\`touch ${marker}\``,
  DOLLAR: '$HOME ${HOME} $$',
  SINGLE: "it's 'quoted'",
  DOUBLE: 'say "hi" \\" \\',
  NEWLINE: 'line1\nline2 $(touch x)',
  TRAILING_BACKSLASH: 'ends with \\',
  SEMI: 'a; touch b && c | d > e',
  GLOB: '* ? [a] ~',
  EMPTY: '',
  PLAIN: 'http://localhost:8001/x?a=b',
  UNICODE: 'café ✓',
};

/** Source `text` with shell `sh` the way a user would, print every value back as JSON. */
function sourced(shell: string, text: string, mode: 'eval' | 'dotenv'): Record<string, string> {
  const file = join(dir, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${text}\n`);
  const names = Object.keys(hostile).join(' ');
  const load = mode === 'eval' ? `eval "$(cat '${file}')"` : `set -a; . '${file}'; set +a`;
  const script = `${load}\nfor n in ${names}; do eval "v=\\$$n"; printf '%s\\0%s\\0' "$n" "$v"; done`;
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const parts = r.stdout.split('\0');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}

// under CI every shell must be there (.ci/run installs fish): a missing one fails the test instead of skipping it
const installed = (shell: string) => process.env.CI === 'true' || spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

describe('env formats through real shells', () => {
  // a shell that is not installed shows as skipped (outside CI), never as passed
  for (const shell of ['sh', 'bash', 'dash']) {
    it.skipIf(!installed(shell))(`sh format, eval'd by ${shell}: every value literal, nothing executed`, () => {
      expect(sourced(shell, formatEnv(hostile, 'sh'), 'eval')).toEqual(hostile);
      expect(existsSync(marker)).toBe(false);
    });

    it.skipIf(!installed(shell))(`dotenv format, sourced with set -a by ${shell}: every value literal, nothing executed`, () => {
      expect(sourced(shell, formatEnv(hostile, 'dotenv'), 'dotenv')).toEqual(hostile);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it('fish quoting: backslash and quote are the only escapes inside single quotes', () => {
    expect(fishQuote("a'b\\")).toBe("'a\\'b\\\\'");
  });

  it.skipIf(!installed('fish'))('fish format, read back by fish', () => {
    const r = spawnSync(
      'fish',
      ['-c', `${formatEnv(hostile, 'fish')}\nfor n in ${Object.keys(hostile).join(' ')}; printf '%s\\0%s\\0' $n "$$n"; end`],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('json format parses back to the same values', () => {
    expect(JSON.parse(formatEnv(hostile, 'json'))).toEqual(hostile);
  });

  it('dotenv: bare when harmless, single quotes when possible, escaped double quotes otherwise', () => {
    expect(dotenvQuote('abc-1.2')).toBe('abc-1.2');
    expect(dotenvQuote('$(id)')).toBe("'$(id)'");
    expect(dotenvQuote("it's $x")).toBe(`"it's \\$x"`);
  });

  it('refuses a variable name that is not one (it would be shell syntax)', () => {
    expect(() => formatEnv({ 'A;touch x': '1' }, 'sh')).toThrow(/not a valid environment variable name/);
  });
});

describe('.env.sandbox hand edits', () => {
  const vars = { COMPOSE_PROJECT_NAME: 'k--a', KTRDR_API_PORT: '8001' };
  const ours = renderEnvFile(vars);

  it('a file we wrote carries a checksum of its variables', () => {
    expect(writtenByUs(ours)).toBe(true);
    expect(parseEnvFile(ours)).toEqual(vars);
  });

  it('an edited value, an added variable or a comment of its own makes it hand-edited', () => {
    const edited = ours.replace('KTRDR_API_PORT=8001', 'KTRDR_API_PORT=9999');
    expect(writtenByUs(edited)).toBe(false);
    expect(handEdited(edited, ours)).toBe(true);
    expect(envFileChanges(edited, ours)).toEqual(['KTRDR_API_PORT: 9999 → 8001']);
    const added = `${ours}MY_TOKEN=x\n`;
    expect(handEdited(added, ours)).toBe(true);
    expect(envFileChanges(added, ours)).toEqual(['MY_TOKEN=x (not from the registry)']);
    expect(handEdited(`# my note\n${ours}`, ours)).toBe(true);
  });

  it('our own stale file (the registry changed) is not a hand edit; nor is an old file differing only in our header', () => {
    const stale = renderEnvFile({ ...vars, KTRDR_API_PORT: '8002' });
    expect(handEdited(stale, ours)).toBe(false);
    const legacy = [
      '# Written by ktrdr-sandbox from its registry. Do not edit: changes are overwritten.',
      'COMPOSE_PROJECT_NAME=k--a',
      'KTRDR_API_PORT=8001',
      '',
    ].join('\n');
    expect(handEdited(legacy, ours)).toBe(false);
    expect(handEdited('', ours)).toBe(false);
  });
});
