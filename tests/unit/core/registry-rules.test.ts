// The registry's own rules (issue 9, items 4 and 7), the pure part: consistency, interrupted intent records,
// origin of old entries. The store's rules (unknown keys, file mode, read-only files, locks) are in
// tests/unit/adapters/registry-store-rules.test.ts.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHostEnv } from '../../../main/adapters/host-env';
import { originOf, registryInconsistency } from '../../../main/core/registry';
import { ownerAlive } from '../../../main/core/liveness';
import { interrupted } from '../../../main/core/recovery';
import { record, registryWith } from './fakes';

const deadPid = () => spawnSync('true').pid!;

describe('registryInconsistency', () => {
  it('accepts a consistent registry', () => {
    expect(registryInconsistency(registryWith(record('a', 1), record('b', 2)))).toBeNull();
  });
  it('names two entries on one slot', () => {
    expect(registryInconsistency(registryWith(record('a', 3), record('b', 3)))).toBe('"a" and "b" both hold slot 3');
  });
  it('names an entry whose key is not its id', () => {
    const reg = registryWith(record('a', 1));
    reg.instances.a!.id = 'other';
    expect(registryInconsistency(reg)).toMatch(/the entry "a" has id "other"/);
  });
});

describe('interrupted intent records', () => {
  it("are those whose process is gone on this host; another host's are left alone", () => {
    const dead = deadPid();
    const recs = [
      record('a', 1, { state: 'creating', pid: dead }),
      record('b', 2, { state: 'destroying', pid: dead, host: hostname() }),
      record('c', 3, { state: 'creating', pid: dead, host: 'elsewhere' }),
      record('d', 4, { state: 'creating', pid: process.pid }),
      record('e', 5),
    ];
    const env = createHostEnv();
    expect(interrupted({ env }, recs).map((r) => r.id)).toEqual(['a', 'b']);
    expect(ownerAlive(env, dead, 'elsewhere')).toBe(true);
    expect(ownerAlive(env, dead, undefined)).toBe(false);
    expect(ownerAlive(env, process.pid, undefined)).toBe(true);
  });
});

describe('originOf', () => {
  const repo = '/dev/ktrdr';
  it('uses the recorded origin', () => {
    expect(originOf(record('x', 1, { origin: 'init', path: '/dev/ktrdr--x', repo }))).toBe('init');
    expect(originOf(record('x', 1, { origin: 'created', path: '/elsewhere/x', repo }))).toBe('created');
  });
  it('old entries: a clone is init; a worktree is created only where create puts one', () => {
    expect(originOf(record('c', 1, { kind: 'clone', path: '/dev/ktrdr--c', repo }))).toBe('init');
    expect(originOf(record('x', 1, { path: '/dev/ktrdr--x', repo }))).toBe('created');
    expect(originOf(record('x', 1, { path: '/dev/sub/ktrdr--x', repo }))).toBe('init');
    expect(originOf(record('x', 1, { path: '/dev/my-wt', repo }))).toBe('init');
  });
});
