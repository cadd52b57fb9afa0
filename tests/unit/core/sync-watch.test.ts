// The pure parts of the continuous sync (core/sync-watch.ts): which directories, which changes count, and the
// batcher turning bursts of file events into one sync per directory (debounced, bounded, never overlapping).
import { describe, expect, it } from 'vitest';
import { ChangeBatcher, ignoredChange, syncTargets } from '../../../main/core/sync-watch';
import { FakeClock } from './fakes';

const tick = () => new Promise((r) => setImmediate(r));

describe('syncTargets', () => {
  const manifest = { shared: { mounts: { data: 'KTRDR_DATA_DIR', models: 'MISSING' } } } as never;
  it('the worktree (git-ignore rules) then each shared folder that exists here (copied whole), once each', () => {
    const vars = { KTRDR_SHARED_DIR: '/s', KTRDR_DATA_DIR: '/s', MISSING: '/nope' };
    expect(syncTargets('/w', manifest, vars, (d) => d !== '/nope')).toEqual([
      { dir: '/w', gitIgnore: true },
      { dir: '/s', gitIgnore: false },
    ]);
  });
  it('a path-mapped directory is left out (the engine reads it over NFS)', () => {
    expect(
      syncTargets(
        '/w',
        manifest,
        { KTRDR_SHARED_DIR: '/s' },
        () => true,
        (d) => d === '/w',
      ),
    ).toEqual([{ dir: '/s', gitIgnore: false }]);
  });
});

describe('ignoredChange', () => {
  const tree = { dir: '/w', gitIgnore: true };
  it('.git, .env.sandbox* and evidence never start a sync of the worktree; everything else does', () => {
    expect(ignoredChange(tree, '.git/index')).toBe(true);
    expect(ignoredChange(tree, '.git')).toBe(true);
    expect(ignoredChange(tree, '.env.sandbox')).toBe(true);
    expect(ignoredChange(tree, '.env.sandbox.bak')).toBe(true);
    expect(ignoredChange(tree, '.sandbox-evidence/x/gate.json')).toBe(true);
    expect(ignoredChange(tree, 'backend/app.py')).toBe(false);
    expect(ignoredChange(tree, '.gitignore')).toBe(false);
    expect(ignoredChange(tree, null)).toBe(false); // unknown name: sync to be safe
  });
  it('a shared data folder is copied whole: nothing is ignored there', () => {
    expect(ignoredChange({ dir: '/s', gitIgnore: false }, '.git/x')).toBe(false);
  });
});

describe('ChangeBatcher', () => {
  function harness(opts = { quietMs: 200, maxWaitMs: 1000 }, syncMs = 0) {
    const clock = new FakeClock();
    const t0 = clock.now();
    const flushes: { at: number; keys: string[] }[] = [];
    const b = new ChangeBatcher(
      clock,
      async (keys) => {
        flushes.push({ at: clock.now() - t0, keys: [...keys].sort() });
        if (syncMs) await clock.sleep(syncMs);
      },
      opts,
    );
    return { clock, b, flushes, t0 };
  }

  it('a burst of changes to two directories: one flush with both, 200 ms after the last change', async () => {
    const { b, flushes } = harness();
    b.add('/w');
    b.add('/w');
    b.add('/s');
    b.add('/w');
    expect(flushes).toEqual([]); // nothing before the quiet time
    await b.idle();
    expect(flushes).toEqual([{ at: 200, keys: ['/s', '/w'] }]);
  });

  it('changes arriving while quiet time runs push the flush back (debounce), once', async () => {
    const { b, flushes, clock } = harness();
    b.add('/w');
    await clock.sleep(150); // the batcher's own timer (200 ms) is still pending
    b.add('/w');
    await b.idle();
    expect(flushes).toEqual([{ at: 350, keys: ['/w'] }]);
  });

  it('a directory that never goes quiet still syncs within maxWaitMs of its first change', async () => {
    const { b, flushes, clock } = harness({ quietMs: 200, maxWaitMs: 500 });
    b.add('/w');
    for (let i = 0; i < 8; i++) {
      await clock.sleep(100);
      b.add('/w');
    }
    await b.idle();
    expect(flushes[0]).toEqual({ at: 500, keys: ['/w'] });
    expect(flushes.length).toBe(2); // the changes after it: one more flush, not one per change
  });

  it('never two flushes at once: changes during a sync are sent in ONE flush right after it', async () => {
    const { b, flushes, clock } = harness({ quietMs: 200, maxWaitMs: 1000 }, 1000);
    b.add('/w');
    await clock.sleep(300); // the first flush is running (it takes 1 s)
    expect(flushes.length).toBe(1);
    b.add('/w');
    b.add('/s');
    await clock.sleep(100);
    expect(flushes.length).toBe(1); // still running: waits
    await b.idle();
    expect(flushes.map((f) => f.keys)).toEqual([['/w'], ['/s', '/w']]);
    expect(flushes[1]!.at).toBeGreaterThanOrEqual(1200); // after the first one ended
  });

  it('a failing flush does not stop the batcher; stop() drops what is pending', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const b = new ChangeBatcher(clock, async () => {
      calls++;
      throw new Error('rsync failed');
    });
    b.add('/w');
    await b.idle();
    b.add('/w');
    await b.idle();
    expect(calls).toBe(2);
    b.add('/w');
    b.stop();
    await tick();
    await clock.sleep(2000);
    expect(calls).toBe(2);
    expect(b.waiting()).toEqual(['/w']);
  });
});
