// Engine against the real Docker engine. A missing engine fails these tests (never skipped).
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompose } from '../../../main/adapters/compose';
import { dockerChildEnv, resolveDockerEndpointFromSystem, parseDockerHost } from '../../../main/adapters/docker-endpoint';
import { createEngine } from '../../../main/adapters/engine';
import { EngineUnavailableError, type ComposeTarget, type EngineEvent } from '../../../main/core/deps';
import type { ContainerInfo } from '../../../main/shared/types';
import { tempDir, uniqueProject, waitFor, writeStack } from './helpers';

const endpoint = resolveDockerEndpointFromSystem(process.env);
const engine = createEngine(endpoint);
const compose = createCompose({ dockerEnv: dockerChildEnv(endpoint) });
const project = uniqueProject('engine');
let dir: string;
let removeDir: () => Promise<void>;
let target: ComposeTarget;
let app: ContainerInfo;

beforeAll(async () => {
  ({ dir, remove: removeDir } = await tempDir('engine'));
  await writeStack(dir);
  target = { project, projectDir: dir, files: ['docker-compose.yml'], envFile: '.env.sandbox' };
  await compose.up(target);
  let seen: ContainerInfo[] = [];
  app = await waitFor(
    async () => (seen = await engine.listContainers({ projects: [project] })).find((c) => c.service === 'app' && c.health === 'healthy'),
    90_000,
    'app to be healthy',
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(seen)}`);
  });
});

afterAll(async () => {
  await engine.removeProjectResources(project).catch(() => undefined);
  await removeDir?.();
});

describe('ping', () => {
  it('answers with the engine version', async () => {
    const info = await engine.ping();
    expect(info.endpoint).toBe(endpoint.display);
    expect(info.version).toMatch(/^\d+\./);
    expect(info.apiVersion).toMatch(/^\d+\.\d+$/);
  });

  it('rejects with EngineUnavailableError quickly when the socket does not exist', async () => {
    const missing = createEngine(resolveDockerEndpointFromSystem({ ...process.env, DOCKER_HOST: 'unix:///tmp/nonexistent.sock' }));
    const t0 = Date.now();
    const err = await missing.ping().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as Error).message).toBe(
      'Docker is not running (/tmp/nonexistent.sock): start Docker Desktop or dockerd, or fix/unset DOCKER_HOST',
    );
    await expect(missing.listContainers()).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(missing.projectResources('x')).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('rejects within the timeout when the socket accepts but never answers', async () => {
    const sock = path.join(dir, 'hang.sock');
    const server = net.createServer(() => undefined); // accept, never reply
    server.listen(sock);
    await once(server, 'listening');
    try {
      const hanging = createEngine(parseDockerHost(`unix://${sock}`, 'DOCKER_HOST'));
      const t0 = Date.now();
      const err = await hanging.ping(500).catch((e: unknown) => e);
      const ms = Date.now() - t0;
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect((err as Error).message).toMatch(/did not answer within 500 ms/);
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(1500);
    } finally {
      server.close();
    }
  });
});

describe('listContainers', () => {
  it('maps a compose container', () => {
    expect(app).toMatchObject({ project, service: 'app', state: 'running', health: 'healthy', oneOff: false, ports: [], workingDir: dir });
    expect(app.name).not.toMatch(/^\//);
    expect(app.status).toMatch(/^Up .*\(healthy\)$/);
  });

  it('filters by one or several projects, and lists every compose project without filter', async () => {
    const all = await engine.listContainers();
    expect(all.some((c) => c.id === app.id)).toBe(true);
    expect(all.every((c) => c.project !== '')).toBe(true);
    const two = await engine.listContainers({ projects: [project, 'ktrdr-it-nothing-here'] });
    expect(two.map((c) => c.id)).toEqual([app.id]);
    expect(await engine.listContainers({ projects: ['ktrdr-it-nothing-here'] })).toEqual([]);
    expect(await engine.listContainers({ projects: [] })).toEqual([]);
  });
});

describe('logs and exec', () => {
  it('logs are demultiplexed into lines per stream', async () => {
    const lines = await engine.logs(app.id, { tail: 100 });
    expect(lines).toContainEqual({ stream: 'stdout', text: 'out-line' });
    expect(lines).toContainEqual({ stream: 'stderr', text: 'err-line' });
    const stamped = await engine.logs(app.id, { timestamps: true });
    expect(stamped[0]?.text).toMatch(/^\d{4}-\d\d-\d\dT\S+ /);
  });

  it('followLogs streams new lines until stopped', async () => {
    const seen: string[] = [];
    const stop = await engine.followLogs(app.id, { tail: 0 }, (l) => seen.push(`${l.stream}:${l.text}`));
    try {
      await engine.exec(app.id, ['sh', '-c', 'echo followed-1 > /proc/1/fd/1; echo followed-2 > /proc/1/fd/2']);
      await waitFor(async () => seen.includes('stdout:followed-1') && seen.includes('stderr:followed-2'), 10_000, 'followed lines');
      expect(seen).not.toContain('stdout:out-line');
    } finally {
      stop();
    }
    const count = seen.length;
    await engine.exec(app.id, ['sh', '-c', 'echo after-stop > /proc/1/fd/1']);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.length).toBe(count);
  });

  it('exec returns output and exit code', async () => {
    const r = await engine.exec(app.id, ['sh', '-c', 'echo hi; echo "$GREETING"; echo oops >&2; exit 7']);
    expect(r.exitCode).toBe(7);
    expect(r.output).toContain('hi\n');
    expect(r.output).toContain('hello-from-envfile');
    expect(r.output).toContain('oops');
    const env = await engine.exec(app.id, ['sh', '-c', 'echo "$EXTRA"'], { env: ['EXTRA=given'] });
    expect(env).toEqual({ exitCode: 0, output: 'given\n' });
  });

  it('exec times out', async () => {
    const t0 = Date.now();
    await expect(engine.exec(app.id, ['sleep', '5'], { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('events, resources and cleanup', () => {
  it('events fire on docker stop', async () => {
    const events: EngineEvent[] = [];
    const errors: Error[] = [];
    const unsubscribe = await engine.events(
      (e) => events.push(e),
      (e) => errors.push(e),
    );
    try {
      await execa('docker', ['stop', '-t', '1', app.id], { env: dockerChildEnv(endpoint) });
      const stop = await waitFor(
        async () => events.find((e) => e.containerId === app.id && (e.action === 'die' || e.action === 'stop')),
        15_000,
        'die/stop event',
      );
      expect(stop).toMatchObject({ project, service: 'app' });
    } finally {
      unsubscribe();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toEqual([]);
    const [stopped] = await engine.listContainers({ projects: [project] });
    expect(stopped?.state).toBe('exited');
    expect(stopped?.health).toBe('none');
    expect((await engine.listContainers({ projects: [project], all: false })).length).toBe(0);
  });

  it('projectResources and removeProjectResources', async () => {
    const r = await engine.projectResources(project);
    expect(r.containers).toContain(app.id);
    expect(r.networks).toContain(`${project}_default`);
    expect(r.volumes).toContain(`${project}_data`);
    await engine.removeProjectResources(project);
    expect(await engine.projectResources(project)).toEqual({ containers: [], volumes: [], networks: [] });
    await engine.removeProjectResources(project); // nothing left: no error
  });
});
