// The pure parts of the ssh transport: endpoint parsing, short socket paths, the ssh and rsync arguments.
import { describe, expect, it } from 'vitest';
import {
  controlArgs,
  hostArgs,
  masterArgs,
  MAX_SOCKET_PATH,
  portForward,
  rsyncShell,
  sshTargetOf,
  tunnelPaths,
} from '../../../main/adapters/ssh-tunnel';

describe('ssh tunnel (pure parts)', () => {
  it('reads ssh:// endpoints; anything else is not one', () => {
    expect(sshTargetOf('ssh://root@127.0.0.1:2222')).toEqual({ host: '127.0.0.1', user: 'root', port: 2222 });
    expect(sshTargetOf('ssh://homelab')).toEqual({ host: 'homelab' });
    expect(sshTargetOf('ssh://me@[::1]:22')).toEqual({ host: '::1', user: 'me', port: 22 });
    expect(sshTargetOf('unix:///var/run/docker.sock')).toBeUndefined();
    expect(sshTargetOf('tcp://1.2.3.4:2376')).toBeUndefined();
    expect(sshTargetOf('not a url')).toBeUndefined();
  });

  it('socket paths under the home when short enough, else in a private temp dir; one per engine', () => {
    const p = tunnelPaths('/home/me/.ktrdr/sandbox', 'homelab', '/tmp', 1000);
    expect(p.dir).toBe('/home/me/.ktrdr/sandbox/ssh');
    expect(p.control).toMatch(/^\/home\/me\/\.ktrdr\/sandbox\/ssh\/[0-9a-f]{8}\.ctl$/);
    expect(p.docker).toBe(p.control.replace(/\.ctl$/, '.docker.sock'));
    expect(tunnelPaths('/home/me/.ktrdr/sandbox', 'other', '/tmp', 1000).control).not.toBe(p.control);
    const deep = `/home/${'x'.repeat(80)}/.ktrdr/sandbox`;
    const q = tunnelPaths(deep, 'homelab', '/tmp', 1000);
    expect(q.dir).toBe('/tmp/kts-ssh-1000');
    expect(q.control.length + 17).toBeLessThanOrEqual(MAX_SOCKET_PATH);
    expect(q.docker.length).toBeLessThanOrEqual(MAX_SOCKET_PATH);
  });

  it('master, control and rsync arguments', () => {
    const t = { host: '127.0.0.1', user: 'root', port: 2222 };
    expect(hostArgs(t)).toEqual(['-p', '2222', '-l', 'root', '--', '127.0.0.1']);
    expect(hostArgs({ host: 'h', port: 22 })).toEqual(['--', 'h']);
    const m = masterArgs(t, '/c.ctl');
    expect(m.slice(0, 3)).toEqual(['-f', '-N', '-T']);
    expect(m).toEqual(
      expect.arrayContaining([
        'ControlMaster=yes',
        'ControlPath=/c.ctl',
        'ControlPersist=yes',
        'BatchMode=yes',
        'ExitOnForwardFailure=yes',
      ]),
    );
    expect(m.slice(-2)).toEqual(['--', '127.0.0.1']);
    expect(controlArgs(t, '/c.ctl', 'forward', portForward(8002))).toEqual([
      '-o',
      'ControlPath=/c.ctl',
      '-o',
      'BatchMode=yes',
      '-O',
      'forward',
      '-L',
      '127.0.0.1:8002:127.0.0.1:8002',
      '-p',
      '2222',
      '-l',
      'root',
      '--',
      '127.0.0.1',
    ]);
    expect(controlArgs(t, '/c.ctl', 'check')).not.toContain('-L');
    expect(rsyncShell(t, '/c.ctl')).toBe('ssh -o ControlPath=/c.ctl -o BatchMode=yes -p 2222 -l root');
  });
});
