import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dockerChildEnv,
  dockerHostUrl,
  dockerodeOptions,
  parseDockerHost,
  resolveDockerEndpoint,
  resolveDockerEndpointFromSystem,
  type EndpointResolveInput,
} from '../../../main/adapters/docker-endpoint';

/** A fake file system: existing paths and file contents. */
function fakeFs(files: Record<string, string>, sockets: string[] = []): Pick<EndpointResolveInput, 'exists' | 'readFile'> {
  return {
    exists: (p) => sockets.includes(p) || p in files,
    readFile: (p) => files[p],
  };
}

const HOME = '/home/alice';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function contextFiles(name: string, host: string, configDir = `${HOME}/.docker`): Record<string, string> {
  return {
    [`${configDir}/config.json`]: JSON.stringify({ auths: {}, currentContext: name }),
    [`${configDir}/contexts/meta/${sha(name)}/meta.json`]: JSON.stringify({
      Name: name,
      Metadata: { Description: 'x' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
  };
}

describe('resolveDockerEndpoint', () => {
  it('DOCKER_HOST wins over a context and existing sockets', () => {
    const ep = resolveDockerEndpoint({
      env: { DOCKER_HOST: 'unix:///tmp/custom.sock', HOME },
      ...fakeFs(contextFiles('colima', 'unix:///x.sock'), ['/var/run/docker.sock']),
      platform: 'linux',
    });
    expect(ep).toMatchObject({ kind: 'socket', socketPath: '/tmp/custom.sock', source: 'DOCKER_HOST', display: '/tmp/custom.sock' });
  });

  it('parses tcp, tls and npipe DOCKER_HOST values', () => {
    expect(parseDockerHost('tcp://127.0.0.1:2375', 'DOCKER_HOST')).toMatchObject({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
    expect(parseDockerHost('tcp://10.0.0.2:2376', 'DOCKER_HOST')).toMatchObject({ protocol: 'https', port: 2376 });
    expect(parseDockerHost('tcp://h:4000', 'DOCKER_HOST', { DOCKER_TLS_VERIFY: '1' })).toMatchObject({ protocol: 'https' });
    expect(parseDockerHost('npipe:////./pipe/docker_engine', 'DOCKER_HOST')).toMatchObject({
      kind: 'npipe',
      socketPath: '//./pipe/docker_engine',
    });
    expect(parseDockerHost('ssh://bob@build:2222', 'DOCKER_HOST')).toMatchObject({
      kind: 'tcp',
      protocol: 'ssh',
      host: 'build',
      port: 2222,
      username: 'bob',
    });
    expect(parseDockerHost('localhost:1234', 'DOCKER_HOST')).toMatchObject({ kind: 'tcp', host: 'localhost', port: 1234 });
    expect(() => parseDockerHost('ftp://x', 'DOCKER_HOST')).toThrow(/Unsupported/);
  });

  it('reads the current context from config.json and its meta.json', () => {
    const ep = resolveDockerEndpoint({
      env: { HOME },
      ...fakeFs(contextFiles('colima', `unix://${HOME}/.colima/default/docker.sock`), ['/var/run/docker.sock']),
      platform: 'darwin',
    });
    expect(ep).toMatchObject({ kind: 'socket', socketPath: `${HOME}/.colima/default/docker.sock`, source: 'context:colima' });
  });

  it('honours DOCKER_CONFIG and DOCKER_CONTEXT', () => {
    const files = contextFiles('remote', 'tcp://192.0.2.1:2375', '/etc/dockercfg');
    files[`/etc/dockercfg/contexts/meta/${sha('other')}/meta.json`] = JSON.stringify({
      Endpoints: { docker: { Host: 'unix:///other.sock' } },
    });
    const viaConfig = resolveDockerEndpoint({ env: { HOME, DOCKER_CONFIG: '/etc/dockercfg' }, ...fakeFs(files), platform: 'linux' });
    expect(viaConfig).toMatchObject({ kind: 'tcp', host: '192.0.2.1', port: 2375, source: 'context:remote' });
    const viaEnv = resolveDockerEndpoint({
      env: { HOME, DOCKER_CONFIG: '/etc/dockercfg', DOCKER_CONTEXT: 'other' },
      ...fakeFs(files),
      platform: 'linux',
    });
    expect(viaEnv).toMatchObject({ socketPath: '/other.sock', source: 'context:other' });
  });

  it('the "default" context and a context without meta fall through to sockets', () => {
    const files = { [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: 'default' }) };
    const a = resolveDockerEndpoint({ env: { HOME }, ...fakeFs(files, [`${HOME}/.orbstack/run/docker.sock`]), platform: 'darwin' });
    expect(a).toMatchObject({ source: 'default-socket', socketPath: `${HOME}/.orbstack/run/docker.sock` });
    const missing = { [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: 'gone' }) };
    const b = resolveDockerEndpoint({ env: { HOME }, ...fakeFs(missing, ['/var/run/docker.sock']), platform: 'linux' });
    expect(b).toMatchObject({ source: 'default-socket', socketPath: '/var/run/docker.sock' });
  });

  it('tries the known sockets in order', () => {
    const all = [
      '/var/run/docker.sock',
      `${HOME}/.docker/run/docker.sock`,
      `${HOME}/.orbstack/run/docker.sock`,
      `${HOME}/.colima/default/docker.sock`,
      `${HOME}/.rd/docker.sock`,
      '/run/user/1000/podman/podman.sock',
      `${HOME}/.local/share/containers/podman/machine/podman.sock`,
    ];
    for (let i = 0; i < all.length; i++) {
      const present = all.slice(i);
      const ep = resolveDockerEndpoint({ env: { HOME, XDG_RUNTIME_DIR: '/run/user/1000' }, ...fakeFs({}, present), platform: 'linux' });
      expect(ep.socketPath).toBe(all[i]);
      expect(ep.source).toBe('default-socket');
    }
  });

  it('falls back to /var/run/docker.sock when nothing exists, npipe on Windows', () => {
    expect(resolveDockerEndpoint({ env: { HOME }, ...fakeFs({}), platform: 'linux' }).socketPath).toBe('/var/run/docker.sock');
    expect(resolveDockerEndpoint({ env: { HOME }, ...fakeFs({}), platform: 'win32' })).toMatchObject({
      kind: 'npipe',
      socketPath: '//./pipe/docker_engine',
    });
  });

  it('uses HOME from env (not the real home)', () => {
    const ep = resolveDockerEndpoint({ env: { HOME: '/tmp/h' }, ...fakeFs({}, ['/tmp/h/.docker/run/docker.sock']), platform: 'darwin' });
    expect(ep.socketPath).toBe('/tmp/h/.docker/run/docker.sock');
  });

  it('ignores a malformed config.json', () => {
    const ep = resolveDockerEndpoint({
      env: { HOME },
      ...fakeFs({ [`${HOME}/.docker/config.json`]: '{nope' }, ['/var/run/docker.sock']),
      platform: 'linux',
    });
    expect(ep.source).toBe('default-socket');
  });
});

describe('resolveDockerEndpointFromSystem with a temp HOME', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ktrdr-ep-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reads a real context tree under HOME', () => {
    const dir = path.join(home, '.docker', 'contexts', 'meta', sha('tmpctx'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'tmpctx' }));
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ Endpoints: { docker: { Host: 'unix:///tmp/ctx.sock' } } }));
    expect(resolveDockerEndpointFromSystem({ HOME: home })).toMatchObject({ socketPath: '/tmp/ctx.sock', source: 'context:tmpctx' });
  });
});

describe('endpoint → clients', () => {
  it('child env and DOCKER_HOST url', () => {
    const sock = parseDockerHost('unix:///var/run/docker.sock', 'DOCKER_HOST');
    expect(dockerChildEnv(sock)).toEqual({ DOCKER_HOST: 'unix:///var/run/docker.sock' });
    expect(dockerHostUrl(parseDockerHost('tcp://127.0.0.1:2375', 'DOCKER_HOST'))).toBe('tcp://127.0.0.1:2375');
    expect(dockerHostUrl(parseDockerHost('npipe:////./pipe/x', 'DOCKER_HOST'))).toBe('npipe:////./pipe/x');
  });

  it('dockerode options', () => {
    expect(dockerodeOptions(parseDockerHost('unix:///s.sock', 'DOCKER_HOST'))).toEqual({
      socketPath: '/s.sock',
      host: undefined,
      protocol: 'http',
    });
    expect(dockerodeOptions(parseDockerHost('tcp://127.0.0.1:2375', 'DOCKER_HOST'))).toEqual({
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
    const tls = dockerodeOptions(parseDockerHost('tcp://h:2376', 'DOCKER_HOST'), { DOCKER_CERT_PATH: '/certs' }, (p) => Buffer.from(p));
    expect(tls.protocol).toBe('https');
    expect(tls.ca?.toString()).toBe('/certs/ca.pem');
  });
});
