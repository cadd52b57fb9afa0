// The top bar's summary: each instance counted once by the state its card shows; engine down says so.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../main/shared/contract';
import type { InstanceView } from '../../../main/core/views';
import { bucketOf, summarise, summaryCounts } from '../../../main/shared/summary';

function view(id: string, status: InstanceView['status'], gate?: boolean): InstanceView {
  return {
    id,
    path: `/w/${id}`,
    slot: 1,
    kind: 'worktree',
    branch: id,
    createdAt: '2025-01-01T00:00:00Z',
    status,
    dirExists: status !== 'missing',
    containers: { running: status === 'running' ? 9 : status === 'partial' ? 4 : 0, healthy: 0, total: 9 },
    ports: [],
    links: [],
    lastGate: gate === undefined ? null : { passed: gate, at: '2025-01-01T00:00:00Z', elapsedMs: 1, failed: gate ? [] : ['backend'] },
  };
}
const up: Snapshot['engine'] = { state: 'up', endpoint: 'unix:///var/run/docker.sock', version: '20.10' };

describe('summary counts', () => {
  it('counts every instance exactly once (the issue: "1 running · 2 failing · 1 busy" with two instances)', () => {
    // a running instance whose last gate failed, and a busy partial one: 2 instances → 2 counted
    const instances = [view('a', 'running', false), view('b', 'partial')];
    const busy = { b: 'starting' };
    const n = summaryCounts(instances, busy);
    expect(Object.values(n).reduce((x, y) => x + y, 0)).toBe(2);
    expect(summarise({ instances, busy, engine: up })).toBe('1 failing · 1 busy');
  });

  it('counts an instance whose own engine does not answer as such, not as stopped (its containers are not seen)', () => {
    const lab = { ...view('lab', 'stopped'), engineStatus: { name: 'lab', reachable: false, error: 'no answer' } };
    expect(bucketOf(lab, {})).toBe('unreachable');
    expect(bucketOf(lab, { lab: 'stopping' })).toBe('busy');
    expect(bucketOf({ ...lab, engineStatus: { name: 'lab', reachable: true } }, {})).toBe('stopped');
    expect(summarise({ instances: [view('a', 'running', true), lab], busy: {}, engine: up })).toBe('1 running · 1 unreachable');
  });

  it('puts each state in one bucket: busy first, then missing, failing, running, stopped', () => {
    expect(bucketOf(view('a', 'running', true), {})).toBe('running');
    expect(bucketOf(view('a', 'running'), {})).toBe('running');
    expect(bucketOf(view('a', 'running', false), {})).toBe('failing');
    expect(bucketOf(view('a', 'partial', true), {})).toBe('failing');
    expect(bucketOf(view('a', 'stopped', false), {})).toBe('stopped');
    expect(bucketOf(view('a', 'missing'), {})).toBe('missing');
    expect(bucketOf(view('a', 'missing'), { a: 'destroying' })).toBe('busy');
    const all = [
      view('a', 'running'),
      view('b', 'running'),
      view('c', 'partial'),
      view('d', 'stopped'),
      view('e', 'missing'),
      view('f', 'stopped'),
    ];
    expect(summarise({ instances: all, busy: { f: 'starting' }, engine: up })).toBe(
      '2 running · 1 failing · 1 busy · 1 stopped · 1 missing dir',
    );
  });

  it('says the engine is down instead of counting everything as stopped', () => {
    const instances = [view('a', 'stopped'), view('b', 'stopped')];
    expect(summarise({ instances, busy: {}, engine: { state: 'down', endpoint: 'x', message: 'ECONNREFUSED', retryInMs: 2000 } })).toBe(
      'Docker not running · 2 instances, state unknown',
    );
    expect(summarise({ instances: [], busy: {}, engine: { state: 'down', endpoint: 'x', message: '', retryInMs: 1 } })).toBe(
      'Docker not running',
    );
    expect(summarise({ instances, busy: {}, engine: { state: 'connecting', endpoint: 'x' } })).toBe('Connecting to Docker · 2 instances');
    expect(summarise({ instances: [], busy: {}, engine: up })).toBe('no instances');
  });
});
