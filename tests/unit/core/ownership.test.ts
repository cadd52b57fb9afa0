import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existingOwnerId, isOurs, ownerId } from '../../../main/core/owner';
import { findOrphans, findUnlabelled, groupByProject } from '../../../main/core/use-cases/list';
import { blacklists, type PortConflict } from '../../../main/core/conflicts';
import { container } from './fakes';
import { MemoryFiles } from './memory-files';

const files = new MemoryFiles();
let homes = 0;
const temp = () => ({ files, home: `/home/u${++homes}/.ktrdr/sandbox` });
const readFileSync = (file: string, _enc: 'utf8') => files.readText(file) ?? '';

describe('registry identity', () => {
  it('is created once per home, kept, and differs between homes', () => {
    const [a, b] = [temp(), temp()];
    expect(existingOwnerId(a)).toBeNull();
    const id = ownerId(a);
    expect(id).toMatch(/^[a-z0-9-]{8,}$/);
    expect(readFileSync(join(a.home, 'owner-id'), 'utf8').trim()).toBe(id);
    expect(ownerId(a)).toBe(id);
    expect(existingOwnerId(a)).toBe(id);
    expect(ownerId(b)).not.toBe(id);
  });

  it('replaces a mangled file rather than trusting it', () => {
    const h = temp();
    files.put(join(h.home, 'owner-id'), '../../etc\n');
    const id = ownerId(h);
    expect(id).not.toContain('/');
    expect(readFileSync(join(h.home, 'owner-id'), 'utf8').trim()).toBe(id);
  });
});

describe('orphans are only what is provably ours', () => {
  const mine = (project: string, over = {}) => container('web', { project, instance: project, owner: 'me-12345678', ...over });
  const list = [
    mine('repo--mine'),
    mine('repo--theirs', { owner: 'them-1234567' }), // another registry's instance
    container('web', { project: 'repo--old' }), // an earlier version's: no labels
    container('web', { project: 'someone-else' }), // any other compose project
    mine('repo--registered'),
    mine('repo--relabelled', { instance: 'other-project' }), // labels that do not name this project
  ];
  const by = groupByProject(list);
  it('needs our owner AND the project as instance', () => {
    expect(findOrphans(by, new Set(['repo--registered']), 'me-12345678').map((o) => o.project)).toEqual(['repo--mine']);
    expect(findOrphans(by, new Set(), null)).toEqual([]); // no identity yet: nothing is ours
    expect(isOurs(list[0]!, 'me-12345678')).toBe(true);
    expect(isOurs(list[5]!, 'me-12345678')).toBe(false);
  });
  it('unlabelled sandbox-looking projects are mentioned separately, never those of another registry', () => {
    expect(findUnlabelled(new MemoryFiles(), by, new Set()).map((o) => o.project)).toEqual(['repo--old']);
  });
});

describe('what blacklists a slot', () => {
  const c = (holder: PortConflict['holder']): PortConflict => ({ port: 1, name: 'api', env: 'API', holder });
  it('host processes (and unseen holders) only; a container of another project makes it held', () => {
    expect(blacklists(c({ kind: 'process', pid: 1, command: 'nginx' }))).toBe(true);
    expect(blacklists(c({ kind: 'unknown' }))).toBe(true);
    expect(blacklists(c({ kind: 'container', project: 'p', container: 'p-1' }))).toBe(false);
    expect(blacklists(c({ kind: 'instance', instanceId: 'x', container: 'x-1' }))).toBe(false);
  });
});
