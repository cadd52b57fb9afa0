// The registry's shape is checked twice: by hand on every read (isRegistryDocument, no zod at start-up) and by
// the zod schema when a file fails that check (to name what is wrong). Both must give the same verdict for
// every field: a file the quick check accepts but the schema would refuse (or the reverse) is a bug.
import { describe, expect, it } from 'vitest';
import { isRegistryDocument } from '../../../main/core/registry';
import { registryProblem, registrySchema } from '../../../main/core/registry-schema';

/** A registry using every field, optional ones included. */
function full(): Record<string, any> {
  return {
    version: 2,
    instances: {
      a: {
        id: 'a',
        path: '/work/a',
        slot: 1,
        kind: 'worktree',
        repo: '/work/repo',
        branch: 'a',
        createdAt: '2025-01-01T00:00:00.000Z',
        origin: 'created',
        state: 'creating',
        pid: 42,
        host: 'box',
        force: false,
        engine: { context: 'far', endpoint: 'ssh://root@far', source: { mode: 'sync', remotePath: '/r/a', localPath: '/work/a' } },
        sharedOverlay: ['data'],
        futureKey: { kept: true },
      },
      b: { id: 'b', path: '/work/b', slot: 0, kind: 'clone', repo: '/work/b', branch: null, createdAt: 'x', engine: { context: null } },
    },
    blacklist: {
      '4': { reason: 'port held', at: '2025-01-01T00:00:00.000Z', port: 8004, holder: 'process 1 (x)' },
      '5': { reason: 'r', at: 't' },
    },
    unknownTopLevel: 1,
  };
}

/** full() with the value at path replaced (undefined: the key removed). */
function withValue(path: string, value: unknown): unknown {
  const doc = full();
  const keys = path.split('.');
  let at: any = doc;
  for (const k of keys.slice(0, -1)) at = at[k];
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return doc;
}

const A = 'instances.a';
// [path, value, accepted]
const CASES: Array<[string, unknown, boolean]> = [
  ['version', 1, false],
  ['version', 3, false],
  ['version', '2', false],
  ['version', undefined, false],
  ['instances', [], false],
  ['instances', null, false],
  ['instances', undefined, false],
  ['instances', {}, true],
  ['blacklist', undefined, false],
  ['blacklist', [], false],
  ['blacklist', {}, true],
  ...(['id', 'path', 'repo', 'createdAt'] as const).flatMap((k): Array<[string, unknown, boolean]> => [
    [`${A}.${k}`, undefined, false],
    [`${A}.${k}`, 1, false],
    [`${A}.${k}`, null, false],
  ]),
  [`${A}`, 'a', false],
  [`${A}`, null, false],
  [`${A}`, [], false],
  [`${A}.slot`, 10, true],
  [`${A}.slot`, 11, false],
  [`${A}.slot`, -1, false],
  [`${A}.slot`, 1.5, false],
  [`${A}.slot`, '1', false],
  [`${A}.slot`, undefined, false],
  [`${A}.kind`, 'clone', true],
  [`${A}.kind`, 'copy', false],
  [`${A}.kind`, undefined, false],
  [`${A}.branch`, null, true],
  [`${A}.branch`, undefined, false],
  [`${A}.branch`, 3, false],
  [`${A}.origin`, undefined, true],
  [`${A}.origin`, 'init', true],
  [`${A}.origin`, 'made', false],
  [`${A}.origin`, null, false],
  [`${A}.state`, undefined, true],
  [`${A}.state`, 'destroying', true],
  [`${A}.state`, 'running', false],
  [`${A}.pid`, undefined, true],
  [`${A}.pid`, 0, false],
  [`${A}.pid`, 2.5, false],
  [`${A}.pid`, 2 ** 53, false],
  [`${A}.pid`, '42', false],
  [`${A}.host`, undefined, true],
  [`${A}.host`, 1, false],
  [`${A}.force`, true, true],
  [`${A}.force`, 'yes', false],
  [`${A}.engine`, undefined, true],
  [`${A}.engine`, null, false],
  [`${A}.engine`, {}, false],
  [`${A}.engine.context`, null, true],
  [`${A}.engine.context`, undefined, false],
  [`${A}.engine.context`, 1, false],
  [`${A}.engine.endpoint`, undefined, true],
  [`${A}.engine.endpoint`, 1, false],
  [`${A}.engine.source`, undefined, true],
  [`${A}.engine.source`, null, false],
  [`${A}.engine.source.mode`, 'path-map', true],
  [`${A}.engine.source.mode`, 'rsync', false],
  [`${A}.engine.source.remotePath`, undefined, false],
  [`${A}.engine.source.localPath`, undefined, true],
  [`${A}.engine.source.localPath`, 1, false],
  [`${A}.engine.source.extra`, 1, true],
  [`${A}.engine.source.map`, [{ local: '/work', remote: '/nfs/work' }], true],
  [`${A}.engine.source.map`, [], true],
  [`${A}.engine.source.map`, [{ local: '/work' }], false],
  [`${A}.engine.source.map`, { local: '/work', remote: '/nfs' }, false],
  [`${A}.sharedOverlay`, undefined, true],
  [`${A}.sharedOverlay`, true, true],
  [`${A}.sharedOverlay`, false, true],
  [`${A}.sharedOverlay`, [], true],
  [`${A}.sharedOverlay`, 'data', false],
  [`${A}.sharedOverlay`, null, false],
  [`${A}.sharedOverlay`, [1], false],
  ['blacklist.4', 'x', false],
  ['blacklist.4', null, false],
  ['blacklist.4.reason', undefined, false],
  ['blacklist.4.at', 1, false],
  ['blacklist.4.port', undefined, true],
  ['blacklist.4.port', '8004', false],
  ['blacklist.4.port', 8004.5, true],
  ['blacklist.4.holder', undefined, true],
  ['blacklist.4.holder', 1, false],
];

describe('the quick registry check and the zod schema agree', () => {
  it('both accept a registry using every field (unknown keys kept)', () => {
    expect(isRegistryDocument(full())).toBe(true);
    expect(registrySchema.safeParse(full()).success).toBe(true);
    expect(registryProblem(full())).toBeNull();
  });

  it.each(CASES)('%s = %j → accepted %s, by both', (path, value, accepted) => {
    const doc = withValue(path, value);
    expect(isRegistryDocument(doc)).toBe(accepted);
    expect(registrySchema.safeParse(doc).success).toBe(accepted);
  });

  it.each([[null], [[]], ['text'], [2], [{}]])('a document that is not a registry object (%j) is refused by both', (doc) => {
    expect(isRegistryDocument(doc)).toBe(false);
    expect(registrySchema.safeParse(doc).success).toBe(false);
  });

  it('the problem names the first wrong place', () => {
    expect(registryProblem(withValue(`${A}.slot`, 11))).toMatch(/^unexpected content at instances\.a\.slot: /);
    expect(registryProblem([])).toMatch(/^unexpected content at \(root\): /);
  });
});
