import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSurfaceLog, defaultLogDir } from '../../../main/adapters/surface-log';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'kts-log-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('surface log', () => {
  it('appends timestamped lines and echoes them', () => {
    const dir = join(tmp(), 'nested', 'logs');
    const echoed: string[] = [];
    const log = createSurfaceLog({ dir, name: 'dashboard', echo: (l) => echoed.push(l), now: () => new Date('2026-12-06T10:00:00Z') });
    log.info('call up ktrdr--a ok 12ms');
    log.error('request GET /x failed', new Error('boom'));
    const text = readFileSync(log.file, 'utf8');
    expect(log.file).toBe(join(dir, 'dashboard.log'));
    expect(text).toMatch(/^2026-12-06T10:00:00.000Z INFO {2}call up ktrdr--a ok 12ms\n/);
    expect(text).toContain('ERROR request GET /x failed: Error: boom');
    expect(text).toContain('surface-log.test.ts'); // the stack is kept
    expect(echoed).toHaveLength(2);
  });

  it('rotates by size and keeps only `keep` old files', () => {
    const dir = tmp();
    const log = createSurfaceLog({ dir, name: 'tray', maxBytes: 200, keep: 2 });
    for (let i = 0; i < 40; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
    expect(readdirSync(dir).sort()).toEqual(['tray.1.log', 'tray.2.log', 'tray.log']);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8').length).toBeLessThanOrEqual(200);
    expect(readFileSync(join(dir, 'tray.log'), 'utf8')).toContain('line 39');
  });

  it('never throws when the directory cannot be written', () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, '');
    const log = createSurfaceLog({ dir: join(file, 'logs'), name: 'dashboard' });
    expect(() => log.info('x')).not.toThrow();
  });

  it('uses the platform log directory', () => {
    expect(defaultLogDir({}, 'linux', '/h')).toBe('/h/.local/state/ktrdr-sandbox/logs');
    expect(defaultLogDir({ XDG_STATE_HOME: '/s' }, 'linux', '/h')).toBe('/s/ktrdr-sandbox/logs');
    expect(defaultLogDir({}, 'darwin', '/h')).toBe('/h/Library/Logs/ktrdr-sandbox');
    expect(defaultLogDir({ LOCALAPPDATA: 'C:/L' }, 'win32', '/h')).toBe(join('C:/L', 'ktrdr-sandbox', 'Logs'));
    expect(defaultLogDir({ KTRDR_SANDBOX_LOG_DIR: '/x' }, 'linux', '/h')).toBe('/x');
  });
});
