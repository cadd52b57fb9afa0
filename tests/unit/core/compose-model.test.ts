import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeFilePaths, defaultServices, publishingServices, readComposeModel } from '../../../main/core/compose-model';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import { SandboxError } from '../../../main/core/errors';
import { nodeFiles } from '../../../main/adapters/files';

const main = `
x-common: &common
  restart: unless-stopped
  environment:
    DB_HOST: db
services:
  db:
    image: postgres:16
    ports: ["\${KTRDR_DB_PORT:-5432}:5432"]
    healthcheck:
      test: ["CMD", "pg_isready"]
  backend:
    <<: *common
    build: .
    ports:
      - target: 8000
        published: "\${KTRDR_API_PORT}"
      - target: 9000
        published: 9100
        host_ip: 127.0.0.1
  worker-1:
    <<: *common
    ports: ["5003"]
    expose: ["5003"]
  worker-2:
    healthcheck:
      disable: true
  legacy:
    container_name: ktrdr-legacy
    ports: ["127.0.0.1:\${LEGACY_PORT}:80"]
  e2e:
    profiles: [e2e]
    ports: ["\${E2E_PORT}:9999"]
networks:
  default: {}
  shared-bool:
    external: true
  shared-named:
    external:
      name: real-shared
  shared-name-key:
    external: true
    name: other-shared
volumes:
  pgdata: {}
  models:
    external: true
  cache:
    external: { name: global-cache }
`;

const override = `
services:
  worker-2:
    ports: ["\${KTRDR_WORKER_PORT_2}:5004"]
  backend:
    profiles: [full]
`;

describe('composeModelFromTexts', () => {
  const model = composeModelFromTexts(['/p/a.yml'], [main], parse);

  it('reads services, profiles, container_name and healthcheck', () => {
    expect(Object.keys(model.services).sort()).toEqual(['backend', 'db', 'e2e', 'legacy', 'worker-1', 'worker-2']);
    expect(model.services.e2e!.profiles).toEqual(['e2e']);
    expect(model.services.db!.profiles).toEqual([]);
    expect(model.services.legacy!.containerName).toBe('ktrdr-legacy');
    expect(model.services.db!.containerName).toBeUndefined();
    expect(model.services.db!.hasHealthcheck).toBe(true);
    expect(model.services['worker-2']!.hasHealthcheck).toBe(false);
    expect(model.services.backend!.hasHealthcheck).toBe(false);
  });

  it('reads short and long port syntax', () => {
    expect(model.services.db!.ports).toEqual(['${KTRDR_DB_PORT:-5432}:5432']);
    expect(model.services.backend!.ports).toEqual(['${KTRDR_API_PORT}:8000', '127.0.0.1:9100:9000']);
    expect(model.services['worker-1']!.ports).toEqual(['5003']);
    expect(model.services.legacy!.ports).toEqual(['127.0.0.1:${LEGACY_PORT}:80']);
  });

  it('collects external networks and volumes in both forms', () => {
    expect(model.externalNetworks.sort()).toEqual(['other-shared', 'real-shared', 'shared-bool']);
    expect(model.externalVolumes.sort()).toEqual(['global-cache', 'models']);
  });

  it('collects every ${VAR}, sorted and unique', () => {
    expect(model.variables).toEqual(['E2E_PORT', 'KTRDR_API_PORT', 'KTRDR_DB_PORT', 'LEGACY_PORT']);
  });

  it('defaultServices excludes profiled services', () => {
    expect(
      defaultServices(model)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['backend', 'db', 'legacy', 'worker-1', 'worker-2']);
  });

  it('publishingServices excludes container-only ports and profiled services', () => {
    expect(publishingServices(model).sort()).toEqual(['backend', 'db', 'legacy']);
  });

  it('merges several files: later ports add up, later profiles replace', () => {
    const m = composeModelFromTexts(['/p/a.yml', '/p/b.yml'], [main, override], parse);
    expect(m.files).toEqual(['/p/a.yml', '/p/b.yml']);
    expect(m.services['worker-2']!.ports).toEqual(['${KTRDR_WORKER_PORT_2}:5004']);
    expect(m.services.backend!.profiles).toEqual(['full']);
    expect(m.services.backend!.ports).toHaveLength(2);
    expect(publishingServices(m).sort()).toEqual(['db', 'legacy', 'worker-2']);
    expect(m.variables).toContain('KTRDR_WORKER_PORT_2');
  });

  // BUG (main/core/compose-model.ts:84 + 105): long syntax without `published` (container port only, like the
  // short form "5003") renders as ":5003", which contains ":" and so counts as publishing a host port.
  // Expected: a service whose only port is `- target: 5003` is not in publishingServices. Actual: it is.
  it('long syntax without `published` is container-only, like "5003"', () => {
    const m = composeModelFromTexts(['/p/c.yml'], ['services:\n  w:\n    ports:\n      - target: 5003\n        protocol: tcp\n'], parse);
    expect(publishingServices(m)).toEqual([]);
  });

  it('tolerates empty documents and services without a body', () => {
    const m = composeModelFromTexts(['/p/e.yml', '/p/f.yml'], ['', 'services:\n  empty:\n'], parse);
    expect(m.services).toEqual({});
    expect(m.externalNetworks).toEqual([]);
  });

  it('invalid YAML → STATE error naming the file', () => {
    let err: unknown;
    try {
      composeModelFromTexts(['/p/bad.yml'], ['services:\n  a: [unclosed\n'], parse);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('STATE');
    expect((err as SandboxError).message).toMatch(/\/p\/bad\.yml is not valid YAML/);
  });
});

describe('readComposeModel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sbx-compose-'));
    await writeFile(join(dir, 'docker-compose.yml'), main);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads files relative to the project dir', async () => {
    const m = await readComposeModel(dir, ['docker-compose.yml'], undefined, nodeFiles);
    expect(m.files).toEqual([join(dir, 'docker-compose.yml')]);
    expect(publishingServices(m).sort()).toEqual(['backend', 'db', 'legacy']);
  });

  it('a missing file → STATE error with a hint about compose.files', async () => {
    const err = await readComposeModel(dir, ['nope.yml'], undefined, nodeFiles).catch((e: unknown) => e);
    expect((err as SandboxError).code).toBe('STATE');
    expect((err as SandboxError).message).toBe(`Compose file not found: ${join(dir, 'nope.yml')}`);
    expect((err as SandboxError).hint).toMatch(/compose\.files/);
  });

  it('composeFilePaths keeps absolute paths', () => {
    expect(composeFilePaths('/w', ['a.yml', '/abs/b.yml'])).toEqual(['/w/a.yml', '/abs/b.yml']);
  });
});

describe('compose model: healthchecks and depends_on (active readiness, staged start)', () => {
  const text = `
services:
  db:
    image: postgres
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U \${USER:-ktrdr}"]
      interval: 10s
      timeout: 5s
      retries: 3
      start_period: 1m30s
  backend:
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_started
    healthcheck:
      test: curl -f http://localhost:8000/health
      interval: 30s
  worker:
    depends_on: [backend]
    healthcheck:
      test: ["NONE"]
  off:
    healthcheck:
      disable: true
  plain: {}
`;
  const over = `
services:
  db:
    healthcheck:
      interval: 2s
  worker:
    depends_on:
      backend:
        condition: service_healthy
`;
  it('reads test, interval, timeout, retries and start_period; NONE and disable mean none', () => {
    const m = composeModelFromTexts(['a.yml'], [text], parse);
    expect(m.services.db!.healthcheck).toEqual({
      test: ['CMD-SHELL', 'pg_isready -U ${USER:-ktrdr}'],
      intervalMs: 10_000,
      timeoutMs: 5_000,
      retries: 3,
      startPeriodMs: 90_000,
    });
    expect(m.services.backend!.healthcheck).toEqual({ test: 'curl -f http://localhost:8000/health', intervalMs: 30_000 });
    expect(m.services.worker!.healthcheck).toBeUndefined();
    expect(m.services.worker!.hasHealthcheck).toBe(false);
    expect(m.services.off!.healthcheck).toBeUndefined();
    expect(m.services.plain!.healthcheck).toBeUndefined();
  });
  it('reads depends_on in both syntaxes', () => {
    const m = composeModelFromTexts(['a.yml'], [text], parse);
    expect(m.services.backend!.dependsOn).toEqual({ db: 'service_healthy', cache: 'service_started' });
    expect(m.services.worker!.dependsOn).toEqual({ backend: 'service_started' });
    expect(m.services.plain!.dependsOn).toBeUndefined();
  });
  it('a later file overrides field by field', () => {
    const m = composeModelFromTexts(['a.yml', 'b.yml'], [text, over], parse);
    expect(m.services.db!.healthcheck).toMatchObject({
      test: ['CMD-SHELL', 'pg_isready -U ${USER:-ktrdr}'],
      intervalMs: 2_000,
      retries: 3,
    });
    expect(m.services.worker!.dependsOn).toEqual({ backend: 'service_healthy' });
  });
  it('parses compose durations', async () => {
    const { parseDuration } = await import('../../../main/core/compose-model-parse');
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });
});
