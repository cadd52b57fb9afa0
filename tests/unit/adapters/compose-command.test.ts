// Which compose binary the adapter launches, and what it runs to find out — with stand-in `docker` and
// `docker-compose` scripts first on PATH that log their arguments.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCompose, findOnPath } from '../../../main/adapters/compose';
import type { ComposeTarget } from '../../../main/core/deps';

let dir: string;
let bin: string;
let log: string;
let target: ComposeTarget;

async function script(name: string, body: string): Promise<void> {
  const file = path.join(bin, name);
  await writeFile(file, `#!/bin/sh\necho "${name} $*" >> "$FAKE_LOG"\n${body}\n`);
  await chmod(file, 0o755);
}

const calls = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const compose = () => createCompose({ env: { PATH: bin, FAKE_LOG: log, HOME: dir } });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kts-compose-cmd-'));
  bin = path.join(dir, 'bin');
  log = path.join(dir, 'calls.log');
  await mkdir(path.join(dir, 'proj'), { recursive: true });
  await mkdir(bin);
  target = { project: 'p1', projectDir: path.join(dir, 'proj'), files: ['compose.yml'], envFile: '.env.sandbox' };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compose command resolution', () => {
  it('without the v2 plugin, runs `docker-compose` found on PATH without asking its version first', async () => {
    await script('docker', 'exit 125'); // docker: 'compose' is not a docker command
    await script('docker-compose', '[ "$1" = version ] && echo 1.29.2; exit 0');
    const c = compose();
    await c.up(target);
    await c.down(target);
    const [probe, up, down, ...rest] = await calls();
    expect(probe).toBe('docker compose version --short');
    expect(up).toMatch(/^docker-compose -p p1 .* up -d --remove-orphans$/);
    expect(down).toMatch(/^docker-compose -p p1 .* down --remove-orphans$/);
    expect(rest).toEqual([]);
    // info() (doctor, evidence) still asks for the version, without probing the plugin again
    expect(await c.info()).toEqual({ variant: 'v1', command: ['docker-compose'], version: '1.29.2' });
    expect((await calls()).slice(3)).toEqual(['docker-compose version --short']);
  });

  it('prefers the v2 plugin when it answers', async () => {
    await script('docker', '[ "$1 $2" = "compose version" ] && echo 2.29.1; exit 0');
    await script('docker-compose', 'exit 0');
    const c = compose();
    await c.up(target);
    const log = await calls();
    expect(log[0]).toBe('docker compose version --short');
    expect(log[1]).toMatch(/^docker compose -p p1 .* up -d --remove-orphans$/);
    expect(log).toHaveLength(2);
    expect(await c.info()).toEqual({ variant: 'v2', command: ['docker', 'compose'], version: '2.29.1' });
    expect(await calls()).toHaveLength(2);
  });

  it('starts only the named services, without their dependencies, for a staged start', async () => {
    await script('docker', '[ "$1 $2" = "compose version" ] && echo 2.29.1; exit 0');
    const c = compose();
    await c.up(target, { services: ['backend', 'worker-1'], noDeps: true, build: true });
    expect((await calls())[1]).toMatch(/^docker compose -p p1 .* up -d --build --remove-orphans --no-deps -- backend worker-1$/);
  });

  it('reuses a version already known from info()', async () => {
    await script('docker', 'exit 125');
    await script('docker-compose', '[ "$1" = version ] && echo 1.29.2; exit 0');
    const c = compose();
    await c.info();
    await c.up(target);
    expect((await calls()).map((l) => l.split(' -p ')[0])).toEqual([
      'docker compose version --short',
      'docker-compose version --short',
      'docker-compose',
    ]);
  });

  it('findOnPath: first executable regular file in PATH order; not directories or non-executables', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await mkdir(path.join(a, 'tool'), { recursive: true }); // a directory named like the tool
    await mkdir(b);
    await writeFile(path.join(b, 'tool'), 'not executable');
    expect(await findOnPath('tool', [a, b].join(path.delimiter))).toBeNull();
    await chmod(path.join(b, 'tool'), 0o755);
    expect(await findOnPath('tool', ['', a, b].join(path.delimiter))).toBe(path.join(b, 'tool'));
    expect(await findOnPath('tool', undefined)).toBeNull();
    expect(await findOnPath('tool', b, 'win32')).toBeNull();
  });
});
