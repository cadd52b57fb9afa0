import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineTargets, listDockerContexts, type ContextListInput } from '../../../main/adapters/docker-contexts';

const HOME = '/home/u';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const meta = (name: string, host?: string, description?: string) =>
  JSON.stringify({
    Name: name,
    Metadata: description ? { Description: description } : {},
    Endpoints: host ? { docker: { Host: host, SkipTLSVerify: false } } : {},
  });

function world(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): ContextListInput {
  return {
    env: { HOME, ...env },
    homedir: HOME,
    exists: (p) => p === '/var/run/docker.sock',
    readFile: (p) => files[p],
    listDir: (dir) => [
      ...new Set(
        Object.keys(files)
          .filter((f) => f.startsWith(`${dir}/`))
          .map((f) => f.slice(dir.length + 1).split('/')[0]!),
      ),
    ],
  };
}
const metaFile = (name: string, base = `${HOME}/.docker`) => path.join(base, 'contexts', 'meta', sha(name), 'meta.json');

describe('listDockerContexts', () => {
  it('reads every meta.json, sorted by name, with host and description', () => {
    const w = world({ [metaFile('lab')]: meta('lab', 'ssh://me@lab.local', 'homelab'), [metaFile('b')]: meta('b', 'tcp://10.0.0.2:2376') });
    expect(listDockerContexts(w)).toEqual([
      { name: 'b', host: 'tcp://10.0.0.2:2376' },
      { name: 'lab', host: 'ssh://me@lab.local', description: 'homelab' },
    ]);
  });
  it('honours DOCKER_CONFIG; reports broken and misplaced files instead of skipping them silently', () => {
    const base = '/cfg';
    const w = world(
      {
        [metaFile('ok', base)]: meta('ok', 'unix:///run/x.sock'),
        [metaFile('nohost', base)]: meta('nohost'),
        [path.join(base, 'contexts', 'meta', sha('zz'), 'meta.json')]: '{not json',
        [path.join(base, 'contexts', 'meta', sha('other'), 'meta.json')]: meta('moved', 'ssh://x'),
      },
      { DOCKER_CONFIG: base },
    );
    const byName = Object.fromEntries(listDockerContexts(w).map((c) => [c.name, c]));
    expect(byName.ok).toEqual({ name: 'ok', host: 'unix:///run/x.sock' });
    expect(byName.nohost!.error).toMatch(/no docker endpoint/);
    expect(byName.moved!.error).toMatch(/wrong directory/);
    expect(Object.keys(byName).some((n) => n.startsWith('(unreadable'))).toBe(true);
  });
  it('no contexts directory: none', () => {
    expect(listDockerContexts(world({}))).toEqual([]);
  });
});

describe('engineTargets', () => {
  it('default first (the local socket), then the contexts; current from config.json currentContext', () => {
    const w = world({
      [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: 'lab' }),
      [metaFile('lab')]: meta('lab', 'ssh://me@lab.local:2222'),
    });
    expect(engineTargets(w)).toEqual([
      { name: 'default', kind: 'default', endpoint: 'unix:///var/run/docker.sock', current: false, description: 'local socket' },
      { name: 'lab', kind: 'context', endpoint: 'ssh://me@lab.local:2222', current: true },
    ]);
  });
  it('DOCKER_HOST is the default engine and the current one, whatever the context says', () => {
    const w = world(
      { [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: 'lab' }), [metaFile('lab')]: meta('lab', 'ssh://me@lab') },
      { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
    );
    const t = engineTargets(w);
    expect(t[0]).toMatchObject({ name: 'default', endpoint: 'tcp://127.0.0.1:2375', current: true, description: 'DOCKER_HOST' });
    expect(t[1]).toMatchObject({ name: 'lab', current: false });
  });
  it('DOCKER_CONTEXT picks the current one; an unusable endpoint or a missing current context is listed as invalid', () => {
    const w = world({ [metaFile('weird')]: meta('weird', 'ftp://x') }, { DOCKER_CONTEXT: 'gone' });
    const t = engineTargets(w);
    expect(t.find((x) => x.name === 'weird')!.invalid).toMatch(/Unsupported Docker host scheme/);
    expect(t.find((x) => x.name === 'gone')).toMatchObject({ current: true, invalid: 'docker context "gone" does not exist' });
    expect(t[0]!.current).toBe(false);
  });
});
