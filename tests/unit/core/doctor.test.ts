import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import type { Deps, Engine } from '../../../main/core/deps';
import { instanceVariables } from '../../../main/core/envfile';
import { ktrdrPreset } from '../../../main/core/preset';
import { emptyRegistry } from '../../../main/core/registry';
import { lintCompose, slotCollisions, substitute, type DoctorCheck } from '../../../main/core/compose-lint';
import { parsePortEntry, varRefs } from '../../../main/core/compose-syntax';
import { checkDisk, diskCheck, GB, runDoctor } from '../../../main/core/use-cases/doctor';
import { fakeDeps, makeManifest, record } from './fakes';
import { MemoryFiles } from './memory-files';

const SHARED = '/home/u/.ktrdr/shared';
const VARS = instanceVariables(record('ktrdr--a', 1), ktrdrPreset, SHARED);

function lint(
  yaml: string,
  opts: { vars?: Record<string, string>; env?: Record<string, string>; manifest?: typeof ktrdrPreset } = {},
): DoctorCheck[] {
  const model = composeModelFromTexts(['/r/docker-compose.sandbox.yml'], [yaml], parse);
  return lintCompose(model, opts.manifest ?? ktrdrPreset, opts.vars ?? VARS, opts.env ?? {}, { texts: [yaml] });
}

const byName = (checks: DoctorCheck[], name: string) => checks.filter((c) => c.name === name);

describe('parsePortEntry', () => {
  it.each([
    ['8000', { hostIp: null, published: null, target: '8000' }],
    ['5010:5010', { hostIp: null, published: '5010', target: '5010' }],
    ['127.0.0.1:${KTRDR_API_PORT:-8000}:8000', { hostIp: '127.0.0.1', published: '${KTRDR_API_PORT:-8000}', target: '8000' }],
    ['${KTRDR_API_PORT}:8000', { hostIp: null, published: '${KTRDR_API_PORT}', target: '8000' }],
    ['${BIND:-127.0.0.1}:${P:-1}:80', { hostIp: '${BIND:-127.0.0.1}', published: '${P:-1}', target: '80' }],
    ['[::1]:8080:80/tcp', { hostIp: '::1', published: '8080', target: '80', protocol: 'tcp' }],
    ['127.0.0.1::8000', { hostIp: '127.0.0.1', published: null, target: '8000' }],
    [':8000', { hostIp: null, published: null, target: '8000' }], // long syntax without "published"
    ['0.0.0.0:5000-5003:5000-5003/udp', { hostIp: '0.0.0.0', published: '5000-5003', target: '5000-5003', protocol: 'udp' }],
  ])('%s', (raw, want) => {
    expect(parsePortEntry(raw)).toMatchObject(want);
  });
});

describe('variable references', () => {
  it('finds every form and skips $$ escapes', () => {
    expect(varRefs('a ${A} ${B:-x} ${C-y} ${D:?e} ${E+z} $F $$G $${H}').map((r) => `${r.name}${r.op}`)).toEqual([
      'A',
      'B:-',
      'C-',
      'D:?',
      'E+',
      'F',
    ]);
  });

  it('substitutes like compose', () => {
    const vars = { A: '1', EMPTY: '' };
    expect(substitute('${A}|${B}|${B:-d}|${EMPTY:-d}|${EMPTY-d}|${A:+alt}|$$', vars, { B: undefined })).toBe('1||d|d||alt|$');
    expect(substitute('${HOMEX}', {}, { HOMEX: '/h' })).toBe('/h');
  });
});

describe('slotCollisions', () => {
  it('names the slot and port a fixed port collides with', () => {
    expect(slotCollisions(ktrdrPreset, 5010)).toEqual(["slot 1's worker-1 port (KTRDR_WORKER_PORT_1)"]);
    expect(slotCollisions(ktrdrPreset, 8000)).toEqual(["slot 0's api port (KTRDR_API_PORT)"]);
    expect(slotCollisions(ktrdrPreset, 12345)).toEqual([]);
  });
});

describe('lintCompose', () => {
  it('passes the fixture-style compose file', () => {
    const yaml = `
services:
  db:
    image: x
    environment:
      KTRDR_DB_PASSWORD: \${KTRDR_DB_PASSWORD:?must be set}
    ports: ["127.0.0.1:\${KTRDR_DB_PORT:-5432}:5432"]
  backend:
    image: x
    environment:
      INSTANCE_ID: \${INSTANCE_ID:-default}
    ports:
      - "127.0.0.1:\${KTRDR_API_PORT:-8000}:8000"
      - target: 9000
        published: \${KTRDR_GRAFANA_PORT}
        host_ip: 127.0.0.1
    volumes:
      - \${KTRDR_DATA_DIR:-./data}:/app/data
      - \${KTRDR_MODELS_DIR}:/app/models
# a comment mentioning \${NOT_A_VARIABLE}
`;
    expect(lint(yaml)).toEqual([]);
  });

  it('flags container_name as an error naming the service', () => {
    const c = byName(lint('services:\n  agent:\n    image: x\n    container_name: design-agent\n'), 'container-name');
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ level: 'error', service: 'agent' });
    expect(c[0]!.message).toContain('"agent"');
    expect(c[0]!.message).toContain('design-agent');
  });

  it('flags a fixed host port, naming service, port and the slot it collides with', () => {
    const checks = lint('services:\n  agent:\n    image: x\n    ports: ["127.0.0.1:5010:5010"]\n');
    const c = byName(checks, 'fixed-port');
    expect(c).toHaveLength(1);
    expect(c[0]!.level).toBe('error');
    expect(c[0]!.message).toMatch(/service "agent" publishes fixed host port 5010/);
    expect(c[0]!.message).toContain("slot 1's worker-1 port (KTRDR_WORKER_PORT_1)");
    expect(byName(checks, 'port-binding')).toEqual([]); // bound to 127.0.0.1
  });

  it('flags bare "5010:5010" as fixed AND exposed on all interfaces', () => {
    const checks = lint('services:\n  agent:\n    image: x\n    ports: ["5010:5010"]\n');
    expect(byName(checks, 'fixed-port')).toHaveLength(1);
    const w = byName(checks, 'port-binding');
    expect(w).toHaveLength(1);
    expect(w[0]!.level).toBe('warning');
    expect(w[0]!.message).toContain('all interfaces');
  });

  it('flags a host port from a variable outside the slot map, with its effective value', () => {
    const c = byName(lint('services:\n  agent:\n    image: x\n    ports: ["127.0.0.1:${KTRDR_DESIGN_PORT:-5020}:5020"]\n'), 'fixed-port');
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toContain('KTRDR_DESIGN_PORT');
    expect(c[0]!.message).toContain("slot 2's worker-1 port");
  });

  it('a container-only port ("8000") is a warning (random host port on all interfaces), not a collision', () => {
    const checks = lint('services:\n  web:\n    image: x\n    ports: ["8000"]\n');
    expect(byName(checks, 'fixed-port')).toEqual([]);
    expect(byName(checks, 'port-binding')[0]!.level).toBe('warning');
    expect(lint('services:\n  web:\n    image: x\n    ports: ["127.0.0.1::8000"]\n')).toEqual([]);
  });

  it('flags the same slot variable published by two services', () => {
    const yaml =
      'services:\n  a:\n    image: x\n    ports: ["127.0.0.1:${KTRDR_API_PORT}:8000"]\n  b:\n    image: x\n    ports: ["127.0.0.1:${KTRDR_API_PORT}:9000"]\n';
    const c = byName(lint(yaml), 'duplicate-port');
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toContain('"a", "b"');
  });

  it('flags variables the instance leaves unset, showing the mount they would produce', () => {
    const yaml =
      'services:\n  backend:\n    image: x\n    volumes:\n      - ${KTRDR_DATA_DIRECTORY}:/app/data\n      - ${OPTIONAL:-./x}:/x\n';
    const c = byName(lint(yaml), 'unset-variable');
    expect(c).toHaveLength(1);
    expect(c[0]!.level).toBe('error');
    expect(c[0]!.message).toContain('${KTRDR_DATA_DIRECTORY}');
    expect(c[0]!.message).toContain('":/app/data"');
  });

  it('a variable set in the environment, or named as a generated secret, is not unset', () => {
    const yaml = 'services:\n  backend:\n    image: x\n    environment:\n      A: ${FROM_ENV}\n      B: ${KTRDR_DB_PASSWORD}\n';
    expect(lint(yaml, { env: { FROM_ENV: '1' } })).toEqual([]);
    expect(byName(lint(yaml), 'unset-variable').map((c) => c.message)).toEqual([expect.stringContaining('FROM_ENV')]);
  });

  it('unset variables are only warnings when a secrets command may provide them', () => {
    const manifest = makeManifest({ compose: { files: ['c.yml'] }, secrets: { command: 'pass show x' } });
    const c = lint('services:\n  a:\n    image: x\n    environment:\n      T: ${API_TOKEN}\n', { manifest, vars: {} });
    expect(c.map((x) => `${x.name}:${x.level}`)).toEqual(['unset-variable:warning']);
  });
});

describe('diskCheck', () => {
  it('errors under 1 GB, warns under 5 GB', () => {
    expect(diskCheck('/x', 0.5 * GB).level).toBe('error');
    expect(diskCheck('/x', 3 * GB).level).toBe('warning');
    expect(diskCheck('/x', 50 * GB)).toMatchObject({ level: 'ok', message: '50.0 GB free on /x' });
  });
});

describe('checkDisk (in-memory files)', () => {
  it('measures the nearest existing directory of each path, once per filesystem', async () => {
    const files = new MemoryFiles({ '/home/u/.ktrdr/sandbox/instances.json': '{}', '/dev/repo/compose.yaml': '' });
    files.free = 3 * GB;
    const checks = await checkDisk(files, ['/dev/repo', '/home/u/.ktrdr/sandbox/not-yet/made']);
    // one filesystem (the fake has one device): one check, about the first path
    expect(checks).toEqual([
      { name: 'disk', level: 'warning', message: '3.0 GB free on /dev/repo (less than 5 GB)', fix: expect.any(String) },
    ]);
    const stat = files.stat.bind(files);
    files.stat = (p) => {
      const st = stat(p);
      return st && p.startsWith('/home') ? { ...st, dev: 2 } : st;
    };
    expect((await checkDisk(files, ['/dev/repo', '/home/u/.ktrdr/sandbox/not-yet/made'])).map((c) => c.message)).toEqual([
      '3.0 GB free on /dev/repo (less than 5 GB)',
      '3.0 GB free on /home/u/.ktrdr/sandbox (less than 5 GB)',
    ]);
  });

  it('a filesystem whose free space cannot be read is a warning, not a crash', async () => {
    const files = new MemoryFiles({ '/dev/repo/x': '' });
    files.freeBytes = async () => {
      throw new Error('ENOSYS: statfs');
    };
    expect(await checkDisk(files, ['/dev/repo'])).toEqual([
      { name: 'disk', level: 'warning', message: 'cannot read free space of /dev/repo: ENOSYS: statfs' },
    ]);
  });
});

describe('runDoctor (fakes)', () => {
  // the repository in memory
  const dir = '/repos/doctor';
  let files: MemoryFiles;
  beforeEach(() => {
    files = new MemoryFiles();
    files.mkdir(dir);
  });

  function deps(engine: Partial<Engine>, root: string): Deps {
    return fakeDeps({
      registry: { file: '', read: async () => emptyRegistry(), update: async () => undefined as never },
      git: { topLevel: async () => root, version: async () => '2.39.5' } as unknown as Deps['git'],
      compose: { info: async () => ({ variant: 'v1', command: ['docker-compose'], version: '1.29.2' }) } as unknown as Deps['compose'],
      engine: {
        ping: async () => ({ endpoint: 'unix:///var/run/docker.sock', version: '20.10.24', apiVersion: '1.41' }),
        ...engine,
      } as Engine,
      home: root,
      files,
    });
  }

  it('reports a missing external network as an error, and --fix creates it', async () => {
    files.put(
      join(dir, 'docker-compose.sandbox.yml'),
      'services:\n  a:\n    image: x\n    networks: [obs]\nnetworks:\n  obs:\n    external: true\n    name: observability\nvolumes:\n  models:\n    external: true\n',
    );
    const nets = new Set<string>();
    const engine: Partial<Engine> = {
      networkExists: async (n) => nets.has(n),
      createNetwork: async (n) => {
        nets.add(n);
      },
      volumeExists: async () => true,
      createVolume: async () => undefined,
    };
    const r = await runDoctor(deps(engine, dir), { cwd: dir }, {});
    expect(r.target).toMatchObject({ kind: 'repository', path: dir, manifest: 'preset' });
    expect(r.checks.find((c) => c.name === 'external-network')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('"observability"'),
    });
    expect(r.checks.find((c) => c.name === 'external-volume')).toMatchObject({ level: 'ok' });
    expect(r.passed).toBe(false);
    expect(r.errors).toBe(1);

    const fixed = await runDoctor(deps(engine, dir), { cwd: dir }, { fix: true });
    expect(nets.has('observability')).toBe(true);
    expect(fixed.checks.find((c) => c.name === 'external-network')).toMatchObject({ level: 'ok', fixed: true });
    expect(fixed.passed).toBe(true);
    expect(fixed.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['engine', 'compose', 'git', 'disk', 'compose-lint']));
  });

  it('an unreachable engine and a missing compose file are errors, not crashes', async () => {
    const r = await runDoctor(
      deps(
        {
          ping: async () => {
            throw new Error('Docker is not running (/var/run/docker.sock)');
          },
        },
        dir,
      ),
      { cwd: dir },
    );
    expect(r.checks.find((c) => c.name === 'engine')).toMatchObject({ level: 'error' });
    expect(r.checks.find((c) => c.name === 'compose-file')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('not found'),
    });
    expect(r.passed).toBe(false);
  });
});
