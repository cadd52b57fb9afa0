// The dashboard server's Platform: OS openers (detached), no clipboard, settings in a JSON file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodePlatform, sanitizeSettings, SETTINGS_FILE } from '../../../main/services/node-platform';

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
      ['linux', [['xdg-open', ['http://localhost:8001'], undefined], ['xdg-open', ['/w/a'], undefined], ['x-terminal-emulator', [], '/w/a']]],
      ['darwin', [['open', ['http://localhost:8001'], undefined], ['open', ['/w/a'], undefined], ['open', ['-a', 'Terminal', '/w/a'], undefined]]],
      ['win32', [['cmd', ['/c', 'start', '""', 'http://localhost:8001'], undefined], ['cmd', ['/c', 'start', '""', '/w/a'], undefined], ['cmd', ['/c', 'start', '""', 'cmd', '/K', 'cd /d "/w/a"'], '/w/a']]],
    ] as const) {
      const r = recorder();
      const p = createNodePlatform({ home, platform: os, launch: r.launch });
      await p.openExternal('http://localhost:8001');
      await p.openPath('/w/a');
      await p.openTerminal('/w/a');
      expect(r.calls, os).toEqual(expected);
      expect(await p.copyText('x')).toBe(false);
    }
  });

  it('keeps settings in <home>/dashboard-settings.json, sanitised', async () => {
    const p = createNodePlatform({ home, launch: recorder().launch });
    expect(p.settings.get()).toEqual({ repositoryRoot: null, theme: 'system', startAtLogin: false, notifications: true });
    p.settings.set({ theme: 'dark', repositoryRoot: '/src/ktrdr' });
    expect(JSON.parse(await readFile(join(home, SETTINGS_FILE), 'utf8'))).toEqual({ repositoryRoot: '/src/ktrdr', theme: 'dark', startAtLogin: false, notifications: true });
    await writeFile(join(home, SETTINGS_FILE), '{ not json');
    expect(createNodePlatform({ home }).settings.get().theme).toBe('system');
    expect(sanitizeSettings({ theme: 'pink', notifications: 'yes', repositoryRoot: 3, extra: 1 })).toEqual({ repositoryRoot: null, theme: 'system', startAtLogin: false, notifications: true });
  });
});
