import { describe, expect, it } from 'vitest';
import { healthFromStatus, toContainerInfo, toContainerState, toEngineEvent } from '../../../main/adapters/container-info';

describe('healthFromStatus', () => {
  it.each([
    ['Up 3 minutes (healthy)', 'healthy'],
    ['Up 2 seconds (health: starting)', 'starting'],
    ['Up 10 minutes (unhealthy)', 'unhealthy'],
    ['Up 5 hours', 'none'],
    ['Exited (0) 2 minutes ago', 'none'],
    ['Created', 'none'],
    ['', 'none'],
    ['Up About a minute (Paused)', 'none'],
  ] as const)('%s → %s', (status, health) => {
    expect(healthFromStatus(status)).toBe(health);
  });
});

describe('toContainerInfo', () => {
  const raw = {
    Id: 'abc123def456789',
    Names: ['/sb-1-backend-1'],
    Labels: {
      'com.docker.compose.project': 'sb-1',
      'com.docker.compose.service': 'backend',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.project.working_dir': '/src/wt1',
    },
    State: 'running',
    Status: 'Up 4 seconds (health: starting)',
    Ports: [
      { IP: '0.0.0.0', PrivatePort: 8000, PublicPort: 18000, Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
      { IP: '::', PrivatePort: 8000, PublicPort: 18000, Type: 'tcp' },
    ],
  };

  it('maps name, labels, health and published ports only', () => {
    expect(toContainerInfo(raw)).toEqual({
      id: 'abc123def456789',
      name: 'sb-1-backend-1',
      project: 'sb-1',
      service: 'backend',
      state: 'running',
      status: 'Up 4 seconds (health: starting)',
      health: 'starting',
      ports: [
        { hostIp: '0.0.0.0', hostPort: 18000, containerPort: 8000 },
        { hostIp: '::', hostPort: 18000, containerPort: 8000 },
      ],
      oneOff: false,
      workingDir: '/src/wt1',
    });
  });

  it('binds by host path and volumes by name; tmpfs and unnamed entries left out; no Mounts, no mounts', () => {
    const mounts = [
      { Type: 'bind', Source: '/srv/shared/data', Destination: '/app/data', RW: true },
      { Type: 'volume', Name: 'sb-1_ktrdr-overlay-data', Source: '/var/lib/docker/volumes/x/_data', Destination: '/app/data2' },
      { Type: 'tmpfs', Destination: '/tmp' },
      { Type: 'volume', Destination: '/nameless' },
    ];
    expect(toContainerInfo({ ...raw, Mounts: mounts }).mounts).toEqual([
      { type: 'bind', target: '/app/data', source: '/srv/shared/data' },
      { type: 'volume', target: '/app/data2', source: 'sb-1_ktrdr-overlay-data' },
    ]);
    expect(toContainerInfo(raw).mounts).toBeUndefined();
  });

  it('one-off containers and odd input', () => {
    const c = toContainerInfo({ Id: 'ffffffffffffffff', Labels: { 'com.docker.compose.oneoff': 'True' }, State: 'weird', Ports: null });
    expect(c).toMatchObject({ oneOff: true, name: 'ffffffffffff', state: 'dead', ports: [], health: 'none', project: '', service: '' });
    expect(c.workingDir).toBeUndefined();
    expect(toContainerState('Exited')).toBe('exited');
  });
});

describe('toEngineEvent', () => {
  it('maps compose container events and skips others', () => {
    const msg = {
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'c1', Attributes: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's', exitCode: '0' } },
    };
    expect(toEngineEvent(msg)).toEqual({ project: 'p', service: 's', action: 'die', containerId: 'c1' });
    expect(
      toEngineEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n', Attributes: { 'com.docker.compose.project': 'p' } } }),
    ).toBeNull();
    expect(toEngineEvent({ Type: 'container', Action: 'start', Actor: { ID: 'x', Attributes: {} } })).toBeNull();
    expect(toEngineEvent('nope')).toBeNull();
  });
});
