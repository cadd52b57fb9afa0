// Strict input: integers in plain decimal digits and in range, branch names by git's ref rules.
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import {
  parseInteger,
  parsePort,
  parseSlot,
  parseTail,
  parseTimeoutMs,
  refNameProblem,
  validateBranchName,
} from '../../../main/core/validate';

function usage(fn: () => unknown): SandboxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SandboxError);
    expect((e as SandboxError).code).toBe('USAGE');
    expect((e as SandboxError).message).not.toContain('\n');
    expect((e as SandboxError).hint).toBeTruthy();
    return e as SandboxError;
  }
  throw new Error('expected a USAGE error');
}

describe('parseInteger', () => {
  it.each(['0', '3', '10', '007'])('accepts %j', (v) => {
    expect(parseSlot(v)).toBe(Number(v));
  });
  it.each(['', ' 3', '3 ', 'abc', '1.5', '1e1', '0x3', '+3', '-5', '11', '3abc', '١', '99999999999999999999'])('refuses slot %j', (v) => {
    const e = usage(() => parseSlot(v));
    expect(e.message).toContain('--slot must be an integer from 0 to 10');
  });
  it('numbers from JSON: safe integers in range only', () => {
    expect(parseSlot(4, 'slot')).toBe(4);
    for (const v of [1.5, NaN, Infinity, -1, 11, '4x', true, {}, []]) usage(() => parseSlot(v, 'slot'));
  });
  it('timeouts are at least one second (0 no longer means "the default")', () => {
    expect(parseTimeoutMs('5')).toBe(5000);
    for (const v of ['0', '-5', 'soon', '1.5']) usage(() => parseTimeoutMs(v));
  });
  it('tail, port', () => {
    expect(parseTail('0')).toBe(0);
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    usage(() => parseTail('x'));
    usage(() => parsePort('65536'));
  });
  it('negative values only where the range allows them', () => {
    expect(parseInteger('-2', { name: 'n', min: -5, max: 5 })).toBe(-2);
    expect(usage(() => parseInteger('-2', { name: 'n', min: 0, max: 5 })).message).toContain('negative');
  });
  it('shows hostile values on one line', () => {
    const e = usage(() => parseSlot('1\n2\u0007'));
    expect(e.message).toContain('"1\\n2\\u0007"');
  });
});

describe('branch names (git check-ref-format --branch)', () => {
  it.each(['main', 'feat/login', 'Feature/X-1', 'release/1.2', 'a_b', 'v1.2.3'])('accepts %j', (b) => {
    expect(refNameProblem(b)).toBeNull();
    expect(validateBranchName(b)).toBe(b);
  });
  it.each([
    '',
    '-x',
    '--force',
    'HEAD',
    '@',
    'a..b',
    'a//b',
    '/a',
    'a/',
    'a.',
    'a.lock',
    'a/.b',
    'a@{1}',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[',
    'a\\b',
    'a\u0001',
    'x'.repeat(201),
  ])('refuses %j', (b) => {
    expect(refNameProblem(b)).not.toBeNull();
    usage(() => validateBranchName(b));
  });
});
