import { describe, expect, it } from 'vitest';
import { augmentPath, childEnv } from '../../../main/adapters/child-env';
import { serviceProfiles } from '../../../main/adapters/compose-profiles';
import { composeGlobalArgs, formatCommand, ourComposeCall } from '../../../main/adapters/compose';
import { DockerApiError } from '../../../main/adapters/docker-api';
import { isConnectionError, mapEngineError, unavailableMessage } from '../../../main/adapters/engine-errors';
import { parseDockerHost } from '../../../main/adapters/docker-endpoint';
import { formatCmdline, listenInodes } from '../../../main/adapters/port-probe';
import { sandboxHome, sharedHome } from '../../../main/adapters/index';
import { EngineUnavailableError } from '../../../main/core/deps';

describe('engine error mapping', () => {
  const ep = parseDockerHost('unix:///var/run/docker.sock', 'DOCKER_HOST');
  const sys = (code: string) => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });

  it('connection failures become EngineUnavailableError', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT', 'EACCES']) {
      const e = mapEngineError(sys(code), ep);
      expect(e).toBeInstanceOf(EngineUnavailableError);
      expect((e as EngineUnavailableError).endpoint).toBe('/var/run/docker.sock');
    }
    expect((mapEngineError(sys('ENOENT'), ep) as Error).message).toBe(
      'Docker is not running (/var/run/docker.sock): start Docker Desktop or dockerd, or fix/unset DOCKER_HOST',
    );
    expect((mapEngineError(sys('EACCES'), ep) as Error).message).toMatch(/Permission denied.*docker" group/);
  });

  it('API answers become one DockerApiError (status code, message, endpoint); ours pass through unchanged', () => {
    // dockerode's shape (ssh:// endpoints)
    const modemErr = Object.assign(new Error('(HTTP code 404) unexpected - No such container: x'), {
      statusCode: 404,
      json: { message: 'No such container: x' },
    });
    const mapped = mapEngineError(modemErr, ep) as DockerApiError;
    expect(mapped).toBeInstanceOf(DockerApiError);
    expect([mapped.statusCode, mapped.message, mapped.endpoint]).toEqual([404, '(HTTP code 404) No such container: x', ep.display]);
    expect(isConnectionError(mapped)).toBe(false);
    const ours = new DockerApiError(409, '(HTTP code 409) conflict', ep.display);
    expect(mapEngineError(ours, ep)).toBe(ours);
    expect(isConnectionError(new Error('x'))).toBe(false);
    expect(unavailableMessage(parseDockerHost('tcp://127.0.0.1:1', 'DOCKER_HOST'), 'ECONNREFUSED')).toMatch(
      /not reachable \(tcp:\/\/127\.0\.0\.1:1, ECONNREFUSED\)/,
    );
  });
});

describe('compose helpers', () => {
  it('global args: absolute files, env file, profiles before the subcommand', () => {
    expect(composeGlobalArgs({ project: 'p', projectDir: '/w', files: ['a.yml', '/abs/b.yml'], envFile: '.env.sandbox' }, ['e2e'])).toEqual(
      ['-p', 'p', '--project-directory', '/w', '-f', '/w/a.yml', '-f', '/abs/b.yml', '--env-file', '/w/.env.sandbox', '--profile', 'e2e'],
    );
    expect(formatCommand(['docker-compose', 'run', 'sh', '-c', 'exit 3'])).toBe(`docker-compose run sh -c 'exit 3'`);
  });

  it('tells our compose command lines (v1 under python, v2 and its plugin) and what they do from anything else', () => {
    const global = composeGlobalArgs({ project: 'ktrdr--a', projectDir: '/w', files: ['a.yml'], envFile: '.env.sandbox' }, ['e2e']);
    expect(ourComposeCall(['/usr/bin/python3', '/usr/bin/docker-compose', ...global, 'up', '-d', '--remove-orphans'])).toEqual({
      project: 'ktrdr--a',
      subcommand: 'up',
      changes: true,
    });
    expect(ourComposeCall(['docker', 'compose', ...global, 'down', '--remove-orphans'])).toMatchObject({
      subcommand: 'down',
      changes: true,
    });
    expect(ourComposeCall(['/usr/libexec/docker/cli-plugins/docker-compose', 'compose', ...global, 'stop'])).toMatchObject({
      changes: true,
    });
    // what a user may be watching or running is not a change: never ended
    expect(ourComposeCall(['docker-compose', ...global, 'logs', '-f'])).toMatchObject({ subcommand: 'logs', changes: false });
    expect(ourComposeCall(['docker-compose', ...global, 'run', '--rm', 'backend', 'up'])).toMatchObject({
      subcommand: 'run',
      changes: false,
    });
    // not compose, or not in our form
    expect(ourComposeCall(['ssh', '-p', '22', '--project-directory', '/w', 'up'])).toBeNull();
    expect(ourComposeCall(['docker-compose', '-p', 'ktrdr--a', 'up'])).toBeNull();
    expect(ourComposeCall(['docker-compose', ...global])).toBeNull();
  });

  it('service profiles across files', () => {
    const base = 'services:\n  app:\n    image: x\n  tool:\n    image: y\n    profiles: [e2e]\n';
    const override = 'services:\n  tool:\n    profiles: [e2e, debug]\n';
    expect(serviceProfiles([base], 'app')).toEqual([]);
    expect(serviceProfiles([base, override], 'tool')).toEqual(['e2e', 'debug']);
    expect(serviceProfiles([base, ': : bad yaml ['], 'nope')).toBeNull();
  });
});

describe('child env', () => {
  it('appends missing tool dirs, later extras win', () => {
    expect(augmentPath('/a:/usr/local/bin', '/h', 'darwin').split(':').slice(0, 3)).toEqual(['/a', '/usr/local/bin', '/usr/bin']);
    expect(augmentPath('/a', '/h', 'darwin')).toContain('/h/.docker/bin');
    const env = childEnv({ HOME: '/h', A: '1', B: undefined }, { A: '2' }, { C: '3' });
    expect(env).toMatchObject({ A: '2', C: '3' });
    expect('B' in env).toBe(false);
  });
});

describe('port owner parsing', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1',
    '   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0',
  ].join('\n');
  it('finds LISTEN inodes for a port', () => {
    expect(listenInodes(table, 8080)).toEqual(['4242']);
    expect(listenInodes(table, 8081)).toEqual(['5555']);
    expect(listenInodes(table, 9)).toEqual([]);
  });
  it('formats cmdline', () => {
    expect(formatCmdline(['node', 'server.js', '--port', '8080', ''].join('\0'))).toBe('node server.js --port 8080');
    expect(formatCmdline('x'.repeat(300)).length).toBe(200);
  });
});

describe('homes', () => {
  it('env overrides, else HOME', () => {
    expect(sandboxHome({ HOME: '/h' })).toBe('/h/.ktrdr/sandbox');
    expect(sharedHome({ HOME: '/h' })).toBe('/h/.ktrdr/shared');
    expect(sandboxHome({ HOME: '/h', KTRDR_SANDBOX_HOME: '/s' })).toBe('/s');
    expect(sharedHome({ HOME: '/h', KTRDR_SHARED_HOME: '/d' })).toBe('/d');
  });
});
