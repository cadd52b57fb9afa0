import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import {
  instanceIdForNewDir,
  instanceIdFromPath,
  isValidInstanceId,
  slugify,
  validateInstanceName,
  worktreeDirName,
} from '../../../main/core/identity';

describe('slugify', () => {
  it.each([
    ['KTRDR', 'ktrdr'],
    ['My Feature Branch', 'my-feature-branch'],
    ['Café Déjà Vu', 'cafe-deja-vu'],
    ['Ångström naïve', 'angstrom-naive'],
    ['  --leading and trailing--  ', 'leading-and-trailing'],
    ['__x__', 'x'],
    ['ktrdr--feat-x', 'ktrdr--feat-x'],
    ['ktrdr--feat_x', 'ktrdr--feat_x'],
    ['a.b@c!!d', 'a-b-c-d'],
    ['feat/login', 'feat-login'],
    ['日本語', ''],
  ])('%j → %j', (input, out) => {
    expect(slugify(input)).toBe(out);
  });

  it('is at most 63 characters (compose project name limit)', () => {
    expect(slugify('x'.repeat(100))).toHaveLength(63);
  });

  // BUG (main/core/identity.ts:13-15): the trailing separator is trimmed BEFORE truncating to 63 characters, so a
  // cut that lands on a separator leaves a trailing "-" despite the documented "trim leading/trailing separators".
  it('does not end with a separator after truncation', () => {
    const s = slugify(`${'a'.repeat(62)} bcd`);
    expect(s.length).toBeLessThanOrEqual(63);
    expect(s).not.toMatch(/[-_]$/);
  });

  it('always yields a valid instance id for non-empty results', () => {
    for (const input of ['Feature X', 'ÉTÉ 2025', 'a--b', '9lives', 'x'.repeat(80)]) {
      expect(isValidInstanceId(slugify(input))).toBe(true);
    }
  });
});

describe('instanceIdFromPath', () => {
  it('uses the slugified basename of the directory', () => {
    expect(instanceIdFromPath('/home/u/src/ktrdr--feat-x')).toBe('ktrdr--feat-x');
    expect(instanceIdFromPath('/home/u/src/KTRDR Main')).toBe('ktrdr-main');
    expect(instanceIdFromPath('/home/u/src/ktrdr--feat-x/')).toBe('ktrdr--feat-x');
    expect(instanceIdFromPath('relative/Dir')).toBe('dir');
  });

  it('rejects a directory whose name has nothing usable, with a USAGE error and a hint', () => {
    let err: unknown;
    try {
      instanceIdFromPath('/tmp/!!!');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('USAGE');
    expect((err as SandboxError).exitCode).toBe(1);
    expect((err as SandboxError).message).toContain('"!!!"');
    expect((err as SandboxError).hint).toMatch(/--name/);
  });
});

describe('isValidInstanceId', () => {
  it.each(['a', 'ktrdr--feat-x', 'x_1', '0abc', 'a'.repeat(63)])('accepts %j', (id) => {
    expect(isValidInstanceId(id)).toBe(true);
  });
  it.each(['', 'A', 'Abc', '-a', '_a', 'a.b', 'a b', 'a/b', 'a'.repeat(64), 'café'])('rejects %j', (id) => {
    expect(isValidInstanceId(id)).toBe(false);
  });
});

describe('validateInstanceName', () => {
  it.each(['feat-x', 'feat/login', 'v1-2', 'fix_42', 'a', '0day'])('accepts %j and returns it', (name) => {
    expect(validateInstanceName(name)).toBe(name);
  });

  it.each([
    '..',
    'a..b',
    'feat/../x',
    '-x',
    '.hidden',
    '/abs',
    'x/',
    'x.lock',
    'feat/x.lock',
    'a b',
    'a~b',
    'a:b',
    'a^b',
    'a//b',
    'a.',
    'HEAD',
    'UPPER',
    'Fix_42',
    'v1.2',
    'a@{1}',
    'a\tb',
    'x'.repeat(64),
  ])('rejects %j with a USAGE error', (name) => {
    expect(() => validateInstanceName(name)).toThrow(SandboxError);
    expect(() => validateInstanceName(name)).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: expect.stringMatching(/^(Invalid instance name|The instance name is missing)[^\n]*$/),
      }),
    );
  });
});

describe('worktreeDirName', () => {
  it('joins repo and name with "--", turning "/" into "-"', () => {
    expect(worktreeDirName('ktrdr', 'feat-x')).toBe('ktrdr--feat-x');
    expect(worktreeDirName('ktrdr', 'feat/login/v2')).toBe('ktrdr--feat-login-v2');
  });

  it('gives a directory whose instance id is the same slug', () => {
    expect(instanceIdFromPath(`/src/${worktreeDirName('ktrdr', 'feat/x')}`)).toBe('ktrdr--feat-x');
  });
});

describe('case and length: id, folder and branch agree', () => {
  it('refuses uppercase with the lowercase name and --branch in the hint', () => {
    expect(() => validateInstanceName('UPPER')).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/uppercase/), hint: expect.stringMatching(/"upper".*--branch UPPER/) }),
    );
  });

  it('refuses a dotted name, suggesting --branch for the dotted branch', () => {
    expect(() => validateInstanceName('v1.2')).toThrow(/"\." is not allowed/);
  });

  it('refuses (never cuts) an id longer than 63 characters', () => {
    expect(instanceIdForNewDir(`/src/ktrdr--${'a'.repeat(56)}`)).toBe(`ktrdr--${'a'.repeat(56)}`);
    expect(() => instanceIdForNewDir(`/src/ktrdr--${'a'.repeat(57)}`)).toThrow(/64 characters long \(at most 63\)/);
  });

  it('a missing or non-string name is a USAGE error', () => {
    for (const v of [undefined, null, 3, '']) expect(() => validateInstanceName(v)).toThrow(SandboxError);
  });
});
