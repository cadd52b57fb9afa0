import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findComposeFiles } from '../../../main/core/compose-files';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import { lintCompose } from '../../../main/core/compose-lint';
import { chooseStrides, deriveManifest, isHttpPort, rewriteFixedPort } from '../../../main/core/derive-manifest';
import { loadManifest } from '../../../main/core/manifest';
import { validateManifest } from '../../../main/core/manifest-validate';
import { manifestInit } from '../../../main/core/use-cases/manifest-init';
import { findOutOfRange, findPortCollisions, portFor } from '../../../main/core/ports';
import { MAX_SLOT } from '../../../main/shared/types';
import { MemoryFiles } from './memory-files';
import { nodeFiles } from '../../../main/adapters/files';

const derive = (texts: string[], files = texts.map((_, i) => (i === 0 ? 'compose.yaml' : `compose.override.yml`))) =>
  deriveManifest(files, texts, parse);

const webapp = `
services:
  web:
    build: .
    ports: ["127.0.0.1:\${WEB_PORT:-8080}:8000"]
  db:
    image: postgres
    ports: ["\${DB_PORT-5432}:5432"]
    healthcheck: { test: ["CMD", "pg_isready"], interval: 1s }
  cache:
    image: redis
    ports:
      - target: 6379
        published: "\${REDIS_PORT:-6379}"
        host_ip: 127.0.0.1
  worker:
    image: app
    healthcheck: { test: ["CMD", "true"] }
  admin:
    image: adminer
    profiles: [tools]
    ports: ["\${ADMIN_PORT:-9000}:8080"]
  legacy:
    image: nginx
    ports: ["8081:80", "127.0.0.1:8443:443/tcp"]
`;

describe('deriveManifest', () => {
  it('makes every ${VAR:-default} and ${VAR-default} host port a slot port (short and long syntax)', () => {
    const d = derive([webapp]);
    expect(d.manifest.ports.map((p) => [p.name, p.env, p.slot0, p.base, p.service])).toEqual([
      ['web', 'WEB_PORT', 8080, 8080, 'web'],
      ['db', 'DB_PORT', 5432, 5432, 'db'],
      ['cache', 'REDIS_PORT', 6379, 6379, 'cache'],
      ['admin', 'ADMIN_PORT', 9000, 9000, 'admin'],
    ]);
    // slot N = default + N·stride; web's stride is 10, not 1: 8081 is legacy's fixed host port
    expect(d.manifest.ports.map((p) => p.step)).toEqual([10, 1, 1, 1]);
    expect(portFor(d.manifest.ports[0]!, 3)).toBe(8110);
    expect(portFor(d.manifest.ports[1]!, 3)).toBe(5435);
  });

  it('reports fixed host ports with the exact rewrite, keeping host IP and protocol', () => {
    const d = derive([webapp]);
    const fixed = d.notes.filter((n) => n.kind === 'fixed-port');
    expect(fixed.map((n) => n.rewrite)).toEqual([
      { from: '8081:80', to: '${LEGACY_PORT_80:-8081}:80' },
      { from: '127.0.0.1:8443:443/tcp', to: '127.0.0.1:${LEGACY_PORT_443:-8443}:443/tcp' },
    ]);
    expect(rewriteFixedPort('8080:80', 'WEB_PORT')).toBe('${WEB_PORT:-8080}:80');
    expect(rewriteFixedPort('${X:-1}:80', 'WEB_PORT')).toBeNull();
  });

  it('gate: HTTP probe for a web port without healthcheck, TCP otherwise; healthchecked and profiled services get none', () => {
    const d = derive([webapp]);
    expect(d.manifest.gate.checks).toEqual([
      {
        name: 'web-http',
        label: 'web answers HTTP',
        http: { url: 'http://127.0.0.1:${WEB_PORT}/', status: expect.arrayContaining([200, 302, 404]) },
        service: 'web',
        dependsOn: [],
      },
      { name: 'cache-tcp', label: 'cache answers TCP', tcp: { host: '127.0.0.1', port: '${REDIS_PORT}' }, service: 'cache', dependsOn: [] },
    ]);
    // containers: services with a healthcheck or a published port, of a plain `up` (no profile)
    expect(d.manifest.gate.containers).toEqual({ gate: ['web', 'db', 'cache', 'worker', 'legacy'], ignore: [] });
    expect(d.manifest.links).toEqual([{ name: 'web', label: 'web', url: 'http://localhost:${WEB_PORT}' }]);
  });

  it('HTTP guess: known container ports or web-like service names', () => {
    expect(isHttpPort('backend', '8000')).toBe(true);
    expect(isHttpPort('frontend', '4173')).toBe(true);
    expect(isHttpPort('db', '5432')).toBe(false);
    expect(isHttpPort('cache', '6379/tcp')).toBe(false);
  });

  it('is accepted by the schema unchanged, and its slot ports never collide', () => {
    const d = derive([webapp]);
    expect(validateManifest(structuredClone(d.manifest), 'derived')).toEqual(d.manifest);
    expect(findPortCollisions(d.manifest)).toEqual([]);
  });

  it('override files: later files add ports and services, and override healthchecks', () => {
    const override = `
services:
  web:
    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:8000"] }
  mail:
    image: mailhog
    ports: ["\${MAIL_UI_PORT:-8025}:8025"]
`;
    const d = derive([webapp, override]);
    expect(d.manifest.compose.files).toEqual(['compose.yaml', 'compose.override.yml']);
    expect(d.manifest.ports.map((p) => p.env)).toContain('MAIL_UI_PORT');
    expect(d.manifest.gate.checks.map((c) => c.name)).toEqual(['cache-tcp', 'mail-tcp']); // web now has a healthcheck
  });

  it('a variable used twice is one slot port; equal defaults of two variables cannot both be slot 0', () => {
    const d = derive([
      `services:\n  a: { image: x, ports: ["\${P:-7000}:80"] }\n  b: { image: x, ports: ["\${P:-7000}:81"] }\n  c: { image: x, ports: ["\${Q:-7000}:82"] }\n`,
    ]);
    expect(d.manifest.ports.map((p) => p.env)).toEqual(['P']);
    expect(d.notes.map((n) => n.kind)).toEqual(['duplicate-default']);
  });

  it('${VAR} without a default, or with a non-numeric one, is left out with a note', () => {
    const d = derive([`services:\n  a: { image: x, ports: ["\${P}:80", "\${Q:-abc}:81"] }\n`]);
    expect(d.manifest.ports).toEqual([]);
    expect(d.notes.map((n) => n.kind)).toEqual(['no-default', 'no-default']);
    expect(validateManifest(structuredClone(d.manifest), 'derived')).toEqual(d.manifest);
  });
});

describe('chooseStrides', () => {
  it('prefers 1, then 10: neighbouring defaults interleave like the KTRDR workers', () => {
    expect(chooseStrides([8000, 5432, 6379])).toEqual([1, 1, 1]);
    expect(chooseStrides([8000, 8001, 8002])).toEqual([10, 10, 10]);
  });

  it('keeps slot ports off the fixed host ports of the file', () => {
    expect(chooseStrides([8000], [8005])).toEqual([10]);
    const d = derive([
      `services:\n  a: { image: x, ports: ["\${A:-8000}:80", "8080:81"] }\n  b: { image: x, ports: ["\${B:-8001}:80"] }\n`,
    ]);
    const all = Array.from({ length: 11 }, (_, n) => d.manifest.ports.map((p) => portFor(p, n))).flat();
    expect(all).not.toContain(8080);
  });

  it('keeps every port of slots 0–10 distinct and below 65536 for a 20-service file of clustered defaults', () => {
    const services = Array.from(
      { length: 20 },
      (_, i) =>
        `  s${i}:\n    image: x\n    ports: ["\${S${i}_PORT:-${8000 + (i % 7) * 3 + Math.floor(i / 7)}}:80", "\${S${i}_ADMIN:-${65520 + i}}:81"]\n`,
    );
    const d = derive([`services:\n${services.join('')}`]);
    const high = d.manifest.ports.filter((p) => p.slot0 >= 65520);
    expect(d.manifest.ports.length + d.notes.filter((n) => n.kind === 'out-of-range').length).toBe(40);
    expect(findPortCollisions(d.manifest)).toEqual([]);
    expect(findOutOfRange(d.manifest)).toEqual([]);
    // a default above 65525 leaves no room for ten more slots
    expect(high.every((p) => p.slot0 + MAX_SLOT * p.step <= 65535)).toBe(true);
    expect(d.notes.some((n) => n.kind === 'out-of-range')).toBe(true);
  });
});

/** The machine the derivations run on (HostEnv.platform). */
const LINUX = { platform: 'linux' };

describe('findComposeFiles (as docker compose does)', () => {
  const has =
    (...names: string[]) =>
    (n: string) =>
      names.includes(n);
  it('standard names in compose order, plus the first override file', () => {
    expect(findComposeFiles(has('docker-compose.yml', 'compose.yaml'), {}, {}, 'linux')).toEqual({
      files: ['compose.yaml'],
      via: 'standard names',
    });
    expect(findComposeFiles(has('docker-compose.yaml', 'docker-compose.override.yaml'), {}, {}, 'linux')).toEqual({
      files: ['docker-compose.yaml', 'docker-compose.override.yaml'],
      via: 'standard names',
    });
    expect(findComposeFiles(has('compose.yml', 'compose.override.yml'), {}, {}, 'linux')?.files).toEqual([
      'compose.yml',
      'compose.override.yml',
    ]);
    expect(findComposeFiles(has('other.yml'), {}, {}, 'linux')).toBeNull();
  });

  it('COMPOSE_FILE (environment before .env) with the path separator', () => {
    expect(findComposeFiles(has('compose.yaml'), { COMPOSE_FILE: 'a.yml:b.yml' }, {}, 'linux')?.files).toEqual(['a.yml', 'b.yml']);
    expect(findComposeFiles(has(), {}, { COMPOSE_FILE: 'a.yml;b.yml', COMPOSE_PATH_SEPARATOR: ';' }, 'linux')?.files).toEqual([
      'a.yml',
      'b.yml',
    ]);
    expect(findComposeFiles(has(), { COMPOSE_FILE: 'env.yml' }, { COMPOSE_FILE: 'dotenv.yml' }, 'linux')?.files).toEqual(['env.yml']);
    expect(findComposeFiles(has(), {}, { COMPOSE_FILE: 'a.yml;b.yml' }, 'win32')?.files).toEqual(['a.yml', 'b.yml']);
  });
});

describe('compose lint: a fixed host port comes with its exact rewrite', () => {
  it('"8080:80" → "${WEB_PORT:-8080}:80"', () => {
    const text = 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n';
    const model = composeModelFromTexts(['compose.yaml'], [text], parse);
    const d = derive([text]);
    const finding = lintCompose(model, d.manifest, {}, {}, { texts: [text] }).find((f) => f.name === 'fixed-port');
    expect(finding?.fix).toContain('write "${WEB_PORT:-8080}:80" instead of "8080:80"');
  });
});

describe('loadManifest without ktrdr-sandbox.yml', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-derive-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('docker-compose.sandbox.yml → the KTRDR preset, even beside a compose.yaml', async () => {
    await writeFile(join(dir, 'docker-compose.sandbox.yml'), 'services: {}\n');
    await writeFile(join(dir, 'compose.yaml'), webapp);
    expect((await loadManifest(dir, LINUX, nodeFiles)).kind).toBe('preset');
  });

  it('a plain compose file (+ override) → derived; COMPOSE_FILE in .env is honoured', async () => {
    await writeFile(join(dir, 'docker-compose.yml'), webapp);
    await writeFile(join(dir, 'docker-compose.override.yml'), 'services:\n  extra: { image: x, ports: ["${EXTRA_PORT:-7000}:7000"] }\n');
    const a = await loadManifest(dir, LINUX, nodeFiles);
    expect(a).toMatchObject({ kind: 'derived', source: 'derived from docker-compose.yml + docker-compose.override.yml' });
    expect(a.manifest.ports.map((p) => p.env)).toContain('EXTRA_PORT');
    await writeFile(join(dir, '.env'), 'COMPOSE_FILE=docker-compose.yml\n');
    const b = await loadManifest(dir, LINUX, nodeFiles);
    expect(b.manifest.compose.files).toEqual(['docker-compose.yml']);
    await expect(loadManifest(dir, { ...LINUX, env: { COMPOSE_FILE: 'missing.yml' } }, nodeFiles)).rejects.toMatchObject({ code: 'STATE' });
    // a COMPOSE_FILE exported in the shell is not read by default: every surface derives the same map
    process.env.COMPOSE_FILE = 'missing.yml';
    try {
      expect((await loadManifest(dir, LINUX, nodeFiles)).manifest.compose.files).toEqual(['docker-compose.yml']);
    } finally {
      delete process.env.COMPOSE_FILE;
    }
  });

  it('nothing at all → the preset (its missing file is reported by whoever reads it)', async () => {
    expect((await loadManifest(dir, LINUX, nodeFiles)).kind).toBe('preset');
  });
});

describe('manifest init: the written ktrdr-sandbox.yml (in-memory files)', () => {
  it('is commented, valid against the schema, and loads back as exactly the derived manifest (same ports and checks)', async () => {
    const dir = '/repos/webapp';
    const files = new MemoryFiles({ [`${dir}/compose.yaml`]: webapp });
    const derived = await loadManifest(dir, LINUX, files);
    const r = await manifestInit(files, dir, { host: LINUX });
    expect(r.written).toBe(true);
    expect(r.text).toMatch(/^# ktrdr-sandbox\.yml — derived from compose\.yaml/);
    expect(r.text).toContain('"8081:80" → "${LEGACY_PORT_80:-8081}:80"');
    expect(files.readText(`${dir}/ktrdr-sandbox.yml`)).toBe(r.text);
    const loaded = await loadManifest(dir, LINUX, files);
    expect(loaded.kind).toBe('file');
    expect(loaded.manifest).toEqual(derived.manifest);
    await expect(manifestInit(files, dir, { host: LINUX })).rejects.toMatchObject({ code: 'STATE' }); // never over an existing file
    expect((await manifestInit(files, dir, { host: LINUX, force: true })).written).toBe(true);
    const dry = await manifestInit(files, '/repos/dry', { host: LINUX, dryRun: true }).catch((e: unknown) => e);
    expect(dry).toMatchObject({ code: 'USAGE' }); // no compose file there
  });

  it('--stdout (dry run) writes nothing', async () => {
    const files = new MemoryFiles({ '/repos/w2/compose.yaml': webapp });
    const r = await manifestInit(files, '/repos/w2', { host: LINUX, dryRun: true });
    expect(r.written).toBe(false);
    expect(files.exists('/repos/w2/ktrdr-sandbox.yml')).toBe(false);
  });

  it('refuses a KTRDR-preset repository and a directory without compose file', async () => {
    const dir = '/repos/empty';
    const files = new MemoryFiles();
    files.mkdir(dir);
    await expect(manifestInit(files, dir, { host: LINUX })).rejects.toMatchObject({ code: 'USAGE' });
    files.put(`${dir}/docker-compose.sandbox.yml`, 'services: {}\n');
    await expect(manifestInit(files, dir, { host: LINUX })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/preset/),
    });
  });
});
