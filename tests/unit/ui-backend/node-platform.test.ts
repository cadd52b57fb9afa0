// The dashboard server's Platform: OS openers (detached), no clipboard, settings in a JSON file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodePlatform, hasDesktop, sanitizeSettings, SETTINGS_FILE } from '../../../main/ui-backend/node-platform';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'kts-platform-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function recorder() {
  const calls: [string, string[], string | undefined][] = [];
  return { calls, launch: async (cmd: string, args: string[], cwd?: string) => void calls.push([cmd, args, cwd]) };
}

describe('node platform', () => {
  it('opens with xdg-open / open / start and a terminal in the instance directory', async () => {
    for (const [os, expected] of [
      [
        'linux',
        [
          ['xdg-open', ['http://localhost:8001'], undefined],
          ['xdg-open', ['/w/a'], undefined],
          ['x-terminal-emulator', [], '/w/a'],
        ],
      ],
      [
        'darwin',
        [
          ['open', ['http://localhost:8001'], undefined],
          ['open', ['/w/a'], undefined],
          ['open', ['-a', 'Terminal', '/w/a'], undefined],
        ],
      ],
      [
        'win32',
        [
          ['cmd', ['/c', 'start', '""', 'http://localhost:8001'], undefined],
          ['cmd', ['/c', 'start', '""', '/w/a'], undefined],
          ['cmd', ['/c', 'start', '""', 'cmd', '/K', 'cd /d "/w/a"'], '/w/a'],
        ],
      ],
    ] as const) {
      const r = recorder();
      const p = createNodePlatform({ home, platform: os, launch: r.launch, env: { DISPLAY: ':0' } });
      await p.openExternal('http://localhost:8001');
      await p.openPath('/w/a');
      await p.openTerminal('/w/a');
      expect(r.calls, os).toEqual(expected);
      expect(await p.copyText('x')).toBe(false);
    }
  });

  it('says so when there is no desktop (SSH session), offering what to copy instead, and launches nothing', async () => {
    expect(hasDesktop('linux', {})).toBe(false);
    expect(hasDesktop('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDesktop('darwin', {})).toBe(true);
    const r = recorder();
    const p = createNodePlatform({ home, platform: 'linux', launch: r.launch, env: { SSH_CONNECTION: 'x' } });
    await expect(p.openPath("/w/it's")).rejects.toMatchObject({
      code: 'STATE',
      message: expect.stringContaining('no desktop session'),
      details: { copy: "/w/it's" },
    });
    await expect(p.openTerminal("/w/it's")).rejects.toMatchObject({ details: { copy: String.raw`cd '/w/it'\''s'` } });
    await expect(p.openExternal('http://127.0.0.1:7/')).rejects.toMatchObject({ hint: 'Copy it instead: http://127.0.0.1:7/' });
    expect(r.calls).toEqual([]);
  });

  it('reports an opener that fails (not installed, or exits non-zero) instead of pretending it worked', async () => {
    const failing = createNodePlatform({
      home,
      platform: 'linux',
      env: { DISPLAY: ':0' },
      launch: async () => Promise.reject(new Error('spawn xdg-open ENOENT')),
    });
    await expect(failing.openPath('/w/a')).rejects.toMatchObject({
      message: expect.stringContaining('xdg-open failed (spawn xdg-open ENOENT)'),
      details: { copy: '/w/a' },
    });
    const real = createNodePlatform({
      home,
      platform: 'linux',
      env: { DISPLAY: ':0' },
      launch: (cmd, args, cwd) => import('../../../main/ui-backend/node-platform').then((m) => m.launch('false', args, cwd, 2000)),
    });
    await expect(real.openPath('/w/a')).rejects.toMatchObject({ message: expect.stringContaining('exited with code 1') });
  });

  it('keeps settings in <home>/dashboard-settings.json, sanitised', async () => {
    const p = createNodePlatform({ home, launch: recorder().launch });
    expect(p.settings.get()).toEqual({ repositoryRoot: null, theme: 'system', startAtLogin: false, notifications: true });
    p.settings.set({ theme: 'dark', repositoryRoot: '/src/ktrdr' });
    expect(JSON.parse(await readFile(join(home, SETTINGS_FILE), 'utf8'))).toEqual({
      repositoryRoot: '/src/ktrdr',
      theme: 'dark',
      startAtLogin: false,
      notifications: true,
    });
    await writeFile(join(home, SETTINGS_FILE), '{ not json');
    expect(createNodePlatform({ home }).settings.get().theme).toBe('system');
    expect(sanitizeSettings({ theme: 'pink', notifications: 'yes', repositoryRoot: 3, extra: 1 })).toEqual({
      repositoryRoot: null,
      theme: 'system',
      startAtLogin: false,
      notifications: true,
    });
  });
});
