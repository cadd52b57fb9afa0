// CLI → dashboard: the progress an operation appends to <home>/progress/<id>.jsonl reaches the dashboard's
// relay as progress events of "<op>:<id>"; a new operation (new file) starts over; old files are not replayed.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordProgress, progressFile } from '../../../main/adapters/progress-file';
import type { ProgressEvent } from '../../../main/core/events';
import { relayProgress } from '../../../main/ui-backend/progress-relay';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'kts-progress-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const until = async (fn: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('progress files', () => {
  it('relays what a CLI operation records, live, in order, with its end', async () => {
    await mkdir(join(home, 'progress'), { recursive: true });
    await writeFile(
      progressFile(home, 'old'),
      `${JSON.stringify({ op: 'up', t: 1, e: { type: 'step', instance: 'old', id: 'x', label: 'x', state: 'running' } })}\n`,
    );
    const got: Array<[string, ProgressEvent]> = [];
    const stop = relayProgress(home, (op, e) => got.push([op, e]));
    try {
      const seen: ProgressEvent[] = [];
      const rec = recordProgress(home, 'up', (e) => seen.push(e));
      rec.emit({ type: 'step', instance: 'ktrdr--a', id: 'engine', label: 'Docker engine reachable', state: 'running' });
      rec.emit({ type: 'step', instance: 'ktrdr--a', id: 'engine', label: 'Docker engine reachable', state: 'passed' });
      rec.end(false, 'gate failed', null);
      expect(seen.length).toBe(2); // the CLI's own output still gets every event
      await until(() => got.length >= 3);
      expect(got.map(([op, e]) => [op, e.type, e.type === 'step' ? e.state : e.type === 'end' ? e.ok : ''])).toEqual([
        ['up:ktrdr--a', 'step', 'running'],
        ['up:ktrdr--a', 'step', 'passed'],
        ['up:ktrdr--a', 'end', false],
      ]);
      // the next operation replaces the file: read from its start, not from the old offset
      const again = recordProgress(home, 'gate', () => undefined);
      again.emit({ type: 'gate-start', instance: 'ktrdr--a', checks: [], timeoutMs: 1000 });
      await until(() => got.length >= 4);
      expect(got[3]![0]).toBe('gate:ktrdr--a');
      expect(got.some(([op]) => op.endsWith(':old'))).toBe(false);
    } finally {
      stop();
    }
  });
});
