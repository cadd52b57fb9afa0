import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createStatsStore } from '../../../main/adapters/stats-store';

const home = mkdtempSync(join(tmpdir(), 'kts-eng-stats-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it('keeps the last-seen memory per instance in <home>/stats/<id>.json; a broken file reads as none', () => {
  const s = createStatsStore(home);
  expect(s.read('a')).toBeNull();
  const v = { at: '2026-12-06T12:00:00.000Z', engine: 'default', memoryBytes: 123, containers: 2 };
  s.write('a', v);
  expect(s.read('a')).toEqual(v);
  expect(readdirSync(join(home, 'stats'))).toEqual(['a.json']); // no temp file left
  writeFileSync(join(home, 'stats', 'b.json'), '{"at": 1}');
  expect(s.read('b')).toBeNull();
  s.remove('a');
  expect(s.read('a')).toBeNull();
});
