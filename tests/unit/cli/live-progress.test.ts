// The CLI's live progress: one line rewritten in place on a terminal, plain periodic lines on a pipe, a pointer
// to --verbose once a step runs long, and sub-steps printed as they finish.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveProgress } from '../../../main/cli/live-progress';
import { renderEvent } from '../../../main/cli/render';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

// eslint-disable-next-line no-control-regex -- ESC starts the ANSI colour codes this strips
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('live progress', () => {
  it('on a terminal: one line redrawn with \\r, elapsed time and the running sub-steps, cleared before other lines', () => {
    let out = '';
    let t = 0;
    const live = createLiveProgress({ tty: () => true, verbose: false, write: (s) => (out += s), now: () => t });
    live.event({ type: 'step', instance: 'i', id: 'compose-up', label: 'compose up -d', state: 'running' });
    live.event({ type: 'step', instance: 'i', id: 'compose-up:svc:db', label: 'Creating db', state: 'running', parent: 'compose-up' });
    t = 1200;
    vi.advanceTimersByTime(100);
    expect(strip(out)).toMatch(/^ {2}\S compose up -d 1\.2s · Creating db$/);
    t = 6000;
    vi.advanceTimersByTime(100);
    expect(live.current(t)).toBe('compose up -d 6.0s · Creating db (--verbose shows compose output)');
    out = '';
    live.print('    ✓ Creating db (4.8s)');
    // cleared (\r + spaces + \r), the finished line, then the live line again
    expect(out.startsWith('\r ')).toBe(true);
    expect(strip(out)).toContain('\r    ✓ Creating db (4.8s)\n');
    expect(out.split('\n').length).toBe(2);
    live.event({ type: 'step', instance: 'i', id: 'compose-up:svc:db', label: 'Creating db', state: 'passed', parent: 'compose-up' });
    live.event({ type: 'step', instance: 'i', id: 'compose-up', label: 'compose up -d', state: 'passed' });
    out = '';
    vi.advanceTimersByTime(200);
    expect(live.current()).toBe('');
    expect(out.trim()).toBe(''); // only the clearing of the last drawn line
  });

  it('on a pipe: a plain "still running" line every 10 s, never a \\r', () => {
    let out = '';
    let t = 0;
    const live = createLiveProgress({ tty: () => false, verbose: true, write: (s) => (out += s), now: () => t });
    live.event({ type: 'step', id: 'compose-up', label: 'compose up -d', state: 'running' });
    for (let i = 0; i < 25; i++) {
      t += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(out).toBe('  … compose up -d 10.0s\n  … compose up -d 20.0s\n');
    expect(out).not.toContain('\r');
  });

  it('asks whether stdout is a terminal only once a step runs (printing lines alone never builds process.stdout)', () => {
    let out = '';
    const tty = vi.fn(() => true);
    const live = createLiveProgress({ tty, verbose: false, write: (s) => (out += s) });
    live.print('export A=1');
    live.print('export B=2');
    expect(out).toBe('export A=1\nexport B=2\n');
    expect(tty).not.toHaveBeenCalled();
    live.event({ type: 'step', id: 'compose-up', label: 'compose up -d', state: 'running' });
    live.print('  ✓ Ports free');
    vi.advanceTimersByTime(300);
    expect(tty).toHaveBeenCalledTimes(1);
    live.event({ type: 'step', id: 'compose-up', label: 'compose up -d', state: 'passed' });
  });

  it('renders finished sub-steps indented with their time, and the end of an operation as nothing', () => {
    expect(
      strip(renderEvent({ type: 'step', id: 'x', label: 'Creating db', state: 'passed', parent: 'compose-up', elapsedMs: 4800 }, false)!),
    ).toBe('    ✓ Creating db (4.8s)');
    expect(renderEvent({ type: 'step', id: 'x', label: 'Creating db', state: 'running', parent: 'compose-up' }, false)).toBeNull();
    expect(renderEvent({ type: 'end', ok: true }, false)).toBeNull();
  });
});
