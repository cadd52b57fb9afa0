// `logs`: the prefix width is the instance's longest service name from the first line on (the merge of followed
// streams by timestamp is tested in tests/unit/core/log-merge.test.ts).
import { describe, expect, it } from 'vitest';
import { logPrinter } from '../../../main/cli/commands/agent';
import { prefixWidth } from '../../../main/core/log-merge';
import type { ServiceLogLine } from '../../../main/core/use-cases/logs';

const line = (service: string, time: string, text = 'x'): ServiceLogLine => ({ service, stream: 'stdout', time, text });

describe('logs output', () => {
  it('keeps one prefix width, computed from all services, however few lines are printed', () => {
    let out = '';
    const print = logPrinter(false, ['backend', 'db', 'training-worker-1'], (s) => (out += s));
    print(line('db', 't1', 'ready'));
    print(line('backend', 't2', 'up'));
    const lines = out
      // eslint-disable-next-line no-control-regex -- ESC starts the ANSI colour codes this strips
      .replace(/\x1b\[[0-9;]*m/g, '')
      .trimEnd()
      .split('\n');
    expect(lines).toEqual(['db                | ready', 'backend           | up']);
    expect(prefixWidth([])).toBe(0);
  });
});
