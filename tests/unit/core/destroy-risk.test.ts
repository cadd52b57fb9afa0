import { describe, expect, it } from 'vitest';
import {
  classifyRisk,
  DEFAULT_DISPOSABLE,
  describeRiskFiles,
  disposablePatterns,
  globMatch,
  isProductPath,
  parsePorcelainLine,
} from '../../../main/core/destroy-risk';

describe('parsePorcelainLine', () => {
  it('reads tracked changes, untracked and ignored entries', () => {
    expect(parsePorcelainLine(' M backend/main.py')).toEqual({ kind: 'changed', path: 'backend/main.py' });
    expect(parsePorcelainLine('D  gone.txt')).toEqual({ kind: 'changed', path: 'gone.txt' });
    expect(parsePorcelainLine('?? notes.txt')).toEqual({ kind: 'untracked', path: 'notes.txt' });
    expect(parsePorcelainLine('!! secrets.local')).toEqual({ kind: 'ignored', path: 'secrets.local' });
    expect(parsePorcelainLine('!! node_modules/')).toEqual({ kind: 'ignored', path: 'node_modules/' });
  });

  it('takes the new name of a rename and unquotes C-quoted paths', () => {
    expect(parsePorcelainLine('R  old.txt -> new.txt')).toEqual({ kind: 'changed', path: 'new.txt' });
    expect(parsePorcelainLine('?? "with \\"quote\\" and\\ttab"')).toEqual({ kind: 'untracked', path: 'with "quote" and\ttab' });
    expect(parsePorcelainLine('?? "caf\\303\\251.txt"')).toEqual({ kind: 'untracked', path: 'café.txt' });
  });

  it('ignores lines too short to be entries', () => {
    expect(parsePorcelainLine('')).toBeNull();
    expect(parsePorcelainLine('??')).toBeNull();
  });
});

describe('globMatch', () => {
  it('a name without "/" matches any path segment (a folder anywhere, with what is inside)', () => {
    expect(globMatch('node_modules', 'node_modules/')).toBe(true);
    expect(globMatch('node_modules', 'web/app/node_modules/')).toBe(true);
    expect(globMatch('node_modules', 'node_modules/left-pad/index.js')).toBe(true);
    expect(globMatch('node_modules', 'my_node_modules_notes.txt')).toBe(false);
    expect(globMatch('*.pyc', 'backend/x.pyc')).toBe(true);
    expect(globMatch('*.pyc', 'backend/x.pyc.bak')).toBe(false);
  });

  it('a pattern with "/" is anchored at the instance root; "**" crosses folders', () => {
    expect(globMatch('build/cache', 'build/cache/')).toBe(true);
    expect(globMatch('build/cache', 'build/cache/a/b')).toBe(true);
    expect(globMatch('build/cache', 'src/build/cache/')).toBe(false);
    expect(globMatch('/tmp/*.log', 'tmp/run.log')).toBe(true);
    expect(globMatch('data/**/*.tmp', 'data/a/b/c.tmp')).toBe(true);
    expect(globMatch('data/**/*.tmp', 'data/c.tmp')).toBe(true);
    expect(globMatch('data/**/*.tmp', 'other/c.tmp')).toBe(false);
  });

  it('treats regex characters literally', () => {
    expect(globMatch('a+b.(x)', 'a+b.(x)')).toBe(true);
    expect(globMatch('a+b.(x)', 'aab.(x)')).toBe(false);
  });
});

describe('disposablePatterns', () => {
  it('adds the manifest patterns to the defaults; "!" removes one', () => {
    const p = disposablePatterns(['*.tmpdata', '!dist']);
    expect(p).toContain('*.tmpdata');
    expect(p).toContain('node_modules');
    expect(p).not.toContain('dist');
    expect(disposablePatterns()).toEqual([...DEFAULT_DISPOSABLE]);
  });
});

describe('classifyRisk', () => {
  const lines = [
    ' M backend/main.py',
    '?? notes.txt',
    '?? .env.sandbox',
    '?? .env.sandbox.bak',
    '!! .sandbox-evidence/',
    '!! secrets.local',
    '!! db.dump',
    '!! node_modules/',
    '!! backend/__pycache__/',
    '?? .venv/',
    '?? dist/',
  ];

  it('counts tracked changes, untracked and ignored files; never product files; disposable ones apart', () => {
    const r = classifyRisk(lines, disposablePatterns());
    expect(r.atRisk).toEqual([
      { kind: 'changed', path: 'backend/main.py' },
      { kind: 'untracked', path: 'notes.txt' },
      { kind: 'ignored', path: 'secrets.local' },
      { kind: 'ignored', path: 'db.dump' },
    ]);
    expect(r.disposable).toEqual(['node_modules/', 'backend/__pycache__/', '.venv/', 'dist/']);
  });

  it('a deleted tracked file loses nothing (a half-removed worktree is all deletions)', () => {
    expect(classifyRisk([' D a.py', 'D  b.py', 'DD c.py'], []).atRisk).toEqual([]);
    expect(classifyRisk(['MD staged-then-deleted.py', 'AD added.py'], []).atRisk).toHaveLength(2);
  });

  it('a tracked change is never disposable, whatever the patterns say', () => {
    expect(classifyRisk([' M node_modules/patched.js'], ['node_modules']).atRisk).toEqual([
      { kind: 'changed', path: 'node_modules/patched.js' },
    ]);
  });

  it('with no disposable patterns (rolling back an interrupted create) everything but product files counts', () => {
    expect(classifyRisk(lines, []).atRisk).toHaveLength(8);
  });

  it('nothing at all: nothing at risk', () => {
    expect(classifyRisk([], disposablePatterns())).toEqual({ atRisk: [], disposable: [] });
  });
});

describe('product paths and descriptions', () => {
  it('knows what the product writes in an instance', () => {
    expect(isProductPath('.env.sandbox')).toBe(true);
    expect(isProductPath('.env.sandbox.bak')).toBe(true);
    expect(isProductPath('.sandbox-evidence/')).toBe(true);
    expect(isProductPath('.sandbox-evidence/2025/gate.json')).toBe(true);
    expect(isProductPath('.env')).toBe(false);
    expect(isProductPath('sub/.env.sandbox')).toBe(false);
  });

  it('describes at most N files, then how many more', () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ kind: 'untracked' as const, path: `f${i}` }));
    expect(describeRiskFiles(files, 2)).toBe('f0 (untracked), f1 (untracked), … 8 more');
  });
});
