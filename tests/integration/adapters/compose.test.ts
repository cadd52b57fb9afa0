// Compose adapter with the real compose binary (v2 plugin when present, else docker-compose v1).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposeCommandError, createCompose } from '../../../main/adapters/compose';
import { dockerChildEnv, resolveDockerEndpointFromSystem } from '../../../main/adapters/docker-endpoint';
import { createEngine } from '../../../main/adapters/engine';
import type { ComposeTarget } from '../../../main/core/deps';
import { tempDir, uniqueProject, waitFor, writeStack } from './helpers';

const endpoint = resolveDockerEndpointFromSystem(process.env);
const engine = createEngine(endpoint);
const compose = createCompose({ dockerEnv: dockerChildEnv(endpoint) });
const project = uniqueProject('compose');
const badProject = uniqueProject('compose-bad');
const SECRET = 's3cr3t-value-never-logged';
let dir: string;
let removeDir: () => Promise<void>;
let target: ComposeTarget;

beforeAll(async () => {
  ({ dir, remove: removeDir } = await tempDir('compose'));
  await writeStack(dir);
  target = { project, projectDir: dir, files: ['docker-compose.yml'], envFile: '.env.sandbox', env: { SECRET_X: SECRET } };
});

afterAll(async () => {
  await engine.removeProjectResources(project).catch(() => undefined);
  await engine.removeProjectResources(badProject).catch(() => undefined);
  await removeDir?.();
});

describe('Compose', () => {
  it('detects the compose variant (v2 plugin preferred) and caches it', async () => {
    const plugin = await execa('docker', ['compose', 'version', '--short'], { reject: false });
    const info = await compose.info();
    if (plugin.exitCode === 0) {
      expect(info).toMatchObject({ variant: 'v2', command: ['docker', 'compose'] });
    } else {
      const v1 = await execa('docker-compose', ['version', '--short']);
      expect(info).toEqual({
        variant: v1.stdout.trim().startsWith('1.') ? 'v1' : 'v2',
        command: ['docker-compose'],
        version: v1.stdout.trim(),
      });
    }
    expect(await compose.info()).toBe(info);
  });

  it('config resolves the env file and the extra environment', async () => {
    const yaml = await compose.config(target);
    expect(yaml).toContain('hello-from-envfile');
    expect(yaml).toContain(SECRET); // interpolated from target.env (returned to the caller, never logged)
    expect(yaml).toMatch(/tool:/);
  });

  it('up streams progress lines and starts the stack', async () => {
    const lines: string[] = [];
    await compose.up(target, { onOutput: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/app/);
    const [app] = await engine.listContainers({ projects: [project] });
    expect(app).toMatchObject({ service: 'app', state: 'running' });
    const env = await engine.exec(app!.id, ['sh', '-c', 'echo "$GREETING $SECRET_VALUE"']);
    expect(env.output.trim()).toBe(`hello-from-envfile ${SECRET}`);
    // idempotent
    await compose.up(target, { build: true });
  });

  it('run passes the exit code through and captures output', async () => {
    const r = await compose.run(target, 'app', ['sh', '-c', 'echo ran-in-app; echo to-stderr >&2; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.output).toContain('ran-in-app');
    expect(r.output).toContain('to-stderr');
    const lines: string[] = [];
    const ok = await compose.run(target, 'app', ['sh', '-c', 'echo "$SECRET_VALUE"'], { onOutput: (l) => lines.push(l) });
    expect(ok.exitCode).toBe(0);
    expect(lines).toContain(SECRET);
  });

  it('run works for a service behind a profile', async () => {
    const r = await compose.run(target, 'tool', []);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('tool-ran');
    const [one] = (await engine.listContainers({ projects: [project] })).filter((c) => c.service === 'tool');
    expect(one).toBeUndefined(); // --rm
  });

  it('run with inherited stdio resolves with the exit code', async () => {
    const r = await compose.run(target, 'app', ['sh', '-c', 'exit 5'], { inheritStdio: true });
    expect(r).toEqual({ exitCode: 5, output: '' });
  });

  it('stop stops the containers, down -v removes everything', async () => {
    await compose.stop(target);
    const stopped = await engine.listContainers({ projects: [project] });
    expect(stopped.filter((c) => !c.oneOff).every((c) => c.state === 'exited')).toBe(true);
    await compose.down(target, { volumes: true });
    await waitFor(
      async () => {
        const r = await engine.projectResources(project);
        return r.containers.length + r.volumes.length + r.networks.length === 0;
      },
      10_000,
      'project resources gone',
    );
  });

  it('failures carry the command and the end of stderr, never env values', async () => {
    await writeFile(
      path.join(dir, 'bad.yml'),
      'services:\n  broken:\n    image: debian:bookworm-slim\n    command: ["sleep", "1"]\n    no_such_key: 1\n',
    );
    const bad: ComposeTarget = {
      project: badProject,
      projectDir: dir,
      files: ['bad.yml'],
      envFile: '.env.sandbox',
      env: { SECRET_X: SECRET },
    };
    const err = await compose.up(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComposeCommandError);
    const msg = (err as Error).message;
    expect(msg).toContain(`-p ${badProject}`);
    expect(msg).toContain(' up -d --remove-orphans');
    expect(msg).toMatch(/no_such_key/);
    expect(msg).not.toContain(SECRET);
    expect((err as ComposeCommandError).code).toBe('COMPOSE_FAILED');
    await expect(compose.config({ ...bad, projectDir: path.join(dir, 'missing') })).rejects.toThrow(/does not exist/);
  });
});
