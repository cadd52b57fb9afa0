// NFS path maps (core/path-map.ts, override/path-map.ts): parsing `--path-map LOCAL=REMOTE`, mapping a path
// (longest LOCAL wins), and the bind mounts re-declared in the generated override with the REMOTE source.
import { describe, expect, it } from 'vitest';
import { interpolate, mappedVolumes, mapPath, parsePathMap } from '../../../main/core/path-map';
import { buildOverride } from '../../../main/core/override';
import { splitVolumeSpec } from '../../../main/core/compose-syntax';
import type { ComposeModel } from '../../../main/shared/types';

describe('parsePathMap', () => {
  it('LOCAL=REMOTE, absolute, trailing slashes dropped', () => {
    expect(parsePathMap('/home/me/src/=/mnt/nfs/src')).toEqual({ local: '/home/me/src', remote: '/mnt/nfs/src' });
    expect(parsePathMap('/=/srv')).toEqual({ local: '/', remote: '/srv' });
  });
  it.each(['/a', '=/b', '/a=', 'a=/b', '/a=b', '/a/../b=/c', '/a=./c'])('"%s" is refused with one line and a hint', (spec) => {
    let err: unknown;
    try {
      parsePathMap(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'USAGE' });
    expect((err as Error).message).not.toContain('\n');
    expect((err as { hint?: string }).hint).toMatch(/--path-map \/home\/me\/src=\/mnt\/nfs\/src/);
  });
});

describe('mapPath', () => {
  const map = [
    { local: '/home/me', remote: '/srv/home' },
    { local: '/home/me/src', remote: '/mnt/src' },
  ];
  it('the longest LOCAL covering the path wins; a prefix of a name is not a parent', () => {
    expect(mapPath('/home/me/src/app/x.py', map)).toBe('/mnt/src/app/x.py');
    expect(mapPath('/home/me/src', map)).toBe('/mnt/src');
    expect(mapPath('/home/me/notes', map)).toBe('/srv/home/notes');
    expect(mapPath('/home/meg/x', map)).toBeUndefined();
    expect(mapPath('/etc/x', map)).toBeUndefined();
  });
  it('root on either side', () => {
    expect(mapPath('/a/b', [{ local: '/', remote: '/nfs' }])).toBe('/nfs/a/b');
    expect(mapPath('/nfs/a', [{ local: '/nfs', remote: '/' }])).toBe('/a');
  });
});

describe('interpolate', () => {
  it('${V}, ${V:-d}, ${V-d}, $V and $$ as compose reads them', () => {
    const vars = { A: '/a', EMPTY: '' };
    expect(interpolate('${A}/x', vars)).toBe('/a/x');
    expect(interpolate('$A/x', vars)).toBe('/a/x');
    expect(interpolate('${NOPE:-/d}/x', vars)).toBe('/d/x');
    expect(interpolate('${EMPTY:-/d}', vars)).toBe('/d');
    expect(interpolate('${EMPTY-/d}', vars)).toBe('');
    expect(interpolate('$$HOME', vars)).toBe('$HOME');
  });
});

function model(volumes: Record<string, Array<string | Record<string, unknown>>>): ComposeModel {
  return {
    files: ['/w/docker-compose.yml'],
    services: Object.fromEntries(
      Object.entries(volumes).map(([name, v]) => [name, { name, profiles: [], ports: [], hasHealthcheck: false, volumes: v }]),
    ),
    externalNetworks: [],
    externalVolumes: [],
    variables: [],
  };
}

describe('mappedVolumes', () => {
  const map = [{ local: '/home/me/dev', remote: '/mnt/dev' }];
  const projectDir = '/home/me/dev/ktrdr--a';
  const vars = { KTRDR_SHARED_DIR: '/home/me/dev/shared', HOME: '/home/me' };

  it('relative, interpolated and ~ bind sources under LOCAL get the REMOTE source, same target and options', () => {
    const m = model({
      backend: [
        './backend:/app',
        '${KTRDR_SHARED_DIR}/data:/data:ro',
        '~/dev/cfg:/cfg',
        'pgdata:/var/lib/pg',
        '/etc/tz:/etc/tz:ro',
        '/anon',
      ],
      worker: [
        { type: 'bind', source: '../shared/models', target: '/models', read_only: true },
        { type: 'volume', source: 'x', target: '/x' },
      ],
      db: ['pgdata:/var/lib/postgresql/data'],
    });
    expect(mappedVolumes(m, map, vars, projectDir)).toEqual({
      backend: ['/mnt/dev/ktrdr--a/backend:/app', '/mnt/dev/shared/data:/data:ro', '/mnt/dev/cfg:/cfg'],
      worker: [{ type: 'bind', source: '/mnt/dev/shared/models', target: '/models', read_only: true }],
    });
  });

  it('a source with a default or a required-variable message (${VAR:-d}, ${VAR:?msg}) is one source, not split at its colon', () => {
    const m = model({ backend: ['${KTRDR_SHARED_DIR:-./shared}/data:/data:ro', '${KTRDR_SHARED_DIR:?set it}/models:/models'] });
    expect(mappedVolumes(m, map, vars, projectDir)).toEqual({
      backend: ['/mnt/dev/shared/data:/data:ro', '/mnt/dev/shared/models:/models'],
    });
    expect(splitVolumeSpec('${A:-./x}:/t:ro')).toEqual(['${A:-./x}', '/t', 'ro']);
    expect(splitVolumeSpec('${A:-${B:-y}}/z:/t')).toEqual(['${A:-${B:-y}}/z', '/t']);
    expect(splitVolumeSpec('/anon')).toEqual(['/anon']);
  });

  it('a later file re-declaring a target: its own source decides (mapped or not)', () => {
    const m = model({ backend: ['./a:/app', '/opt/elsewhere:/app', './b:/b', './c:/b'] });
    expect(mappedVolumes(m, map, vars, projectDir)).toEqual({ backend: ['/mnt/dev/ktrdr--a/c:/b'] });
  });

  it('the override: each affected service re-declares those volumes (compose merges them by target); no map, no change', () => {
    const m = model({ backend: ['./backend:/app'], db: ['pgdata:/data'] });
    const base = { id: 'ktrdr--a', owner: 'o', model: m, isolate: false };
    const doc = buildOverride({ ...base, pathMap: { map, vars, projectDir } });
    expect(doc.services.backend?.volumes).toEqual(['/mnt/dev/ktrdr--a/backend:/app']);
    expect(doc.services.db?.volumes).toBeUndefined();
    expect(buildOverride(base).services.backend?.volumes).toBeUndefined();
  });
});

describe('the compose model keeps each service volumes as written (every file, in order)', () => {
  it('short and long syntax, later files appended', async () => {
    const { parse } = await import('yaml');
    const { composeModelFromTexts } = await import('../../../main/core/compose-model-parse');
    const m = composeModelFromTexts(
      ['/w/a.yml', '/w/b.yml'],
      [
        'services:\n  app:\n    volumes: ["./src:/src", {type: bind, source: ./cfg, target: /cfg}]\n',
        'services:\n  app:\n    volumes: ["./other:/src"]\n',
      ],
      parse,
    );
    expect(m.services.app?.volumes).toEqual(['./src:/src', { type: 'bind', source: './cfg', target: '/cfg' }, './other:/src']);
  });
});
