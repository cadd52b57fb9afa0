// Terminal rendering helpers: aligned label/value lines (long link labels included), the gate's verdict (tables:
// table.test.ts).
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { labelled } from '../../../main/cli/render';

describe('labelled lines', () => {
  it('aligns every value after the longest label, with at least one space', () => {
    expect(
      labelled([
        ['API docs', 'http://localhost:8001/api/v1/docs'],
        ['Prometheus', 'http://localhost:9091'],
      ]),
    ).toEqual(['  API docs:   http://localhost:8001/api/v1/docs', '  Prometheus: http://localhost:9091']);
    expect(labelled([['A very long link label', 'x']], '')).toEqual(['A very long link label: x']);
    expect(labelled([])).toEqual([]);
  });
});

describe('gate verdict', () => {
  it('prints a failed check with its message, exit code when not in it, log tail and hint, each hint once', async () => {
    const { gateVerdict } = await import('../../../main/cli/render');
    const base = { attempts: 1, startedAt: 0, elapsedMs: 400, services: ['backend'] };
    const lines = gateVerdict({
      instance: 'x',
      passed: false,
      startedAt: '2025-01-01T00:00:00.000Z',
      elapsedMs: 400,
      timeoutMs: 60_000,
      checks: [
        {
          ...base,
          name: 'migrations',
          label: 'Migrations applied',
          state: 'failed',
          message: 'backend exited with code 3 (Exited (3) 1 second ago)',
          failure: {
            service: 'backend',
            reason: 'exited',
            exitCode: 3,
            logTail: ['ImportError: x'],
            hint: 'backend crashed with exit code 3: fix it',
          },
        },
        {
          ...base,
          name: 'seed',
          label: 'Seed',
          state: 'failed',
          message: 'seed.sh exited',
          failure: { service: 'backend', reason: 'check-failed', exitCode: 4, hint: 'backend crashed with exit code 3: fix it' },
        },
      ],
      logTails: { backend: ['ImportError: x'] },
    }).map((l) => stripVTControlCharacters(l));
    const text = lines.join('\n');
    expect(text).toContain('✗ Migrations applied: backend exited with code 3');
    expect(text).toContain('exit code 4');
    expect(text).not.toContain('exit code 3\n');
    expect(text).toContain('backend | ImportError: x');
    expect(text.match(/Fix: backend crashed with exit code 3: fix it/g)).toHaveLength(1);
  });
});
