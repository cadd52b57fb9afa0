// Progress bookkeeping for the gate view and the operation panels.
import { describe, expect, it } from 'vitest';
import type { EventMap } from '../../../main/shared/contract';
import type { ProgressEvent } from '../../../main/core/events';
import type { CheckResult } from '../../../main/shared/types';
import {
  applyProgress,
  beginOperation,
  dismissOperation,
  finishOperation,
  gateVerdict,
  splitOperation,
  type ProgressState,
} from '../../../renderer/src/api/progress-store';
import { LogStore } from '../../../renderer/src/api/log-store';

const check = (name: string, state: CheckResult['state'], elapsedMs = 0): CheckResult => ({
  name,
  label: name,
  state,
  message: '',
  attempts: 1,
  startedAt: 0,
  elapsedMs,
  services: [],
});
const ev = (operation: string, e: ProgressEvent): EventMap['progress'] => ({ ...e, operation });

describe('progress store', () => {
  it('splits operation ids', () => {
    expect(splitOperation('up:ktrdr--a')).toEqual({ kind: 'up', target: 'ktrdr--a' });
    expect(splitOperation('create:feat/x')).toEqual({ kind: 'create', target: 'feat/x' });
  });

  it('records steps (latest state per step), compose output and the gate checks as they settle', () => {
    let s: ProgressState = beginOperation({}, 'up:a');
    s = applyProgress(s, ev('up:a', { type: 'step', id: 'engine', label: 'Docker engine reachable', state: 'running' }), 500);
    s = applyProgress(s, ev('up:a', { type: 'step', id: 'engine', label: 'Docker engine reachable', state: 'passed' }), 700);
    s = applyProgress(s, ev('up:a', { type: 'output', source: 'compose', line: 'Creating a_db_1 ... done' }));
    s = applyProgress(
      s,
      ev('up:a', { type: 'gate-start', checks: [check('database', 'pending'), check('backend', 'pending')], timeoutMs: 180000 }),
      1000,
    );
    expect(gateVerdict(s.a!.gate!)).toBe('running');
    s = applyProgress(s, ev('up:a', { type: 'gate-check', check: check('database', 'passed', 1200) }));
    expect(gateVerdict(s.a!.gate!)).toBe('running');
    s = applyProgress(s, ev('up:a', { type: 'gate-check', check: check('backend', 'passed', 4000) }));
    // the step keeps when it was first seen running, and how long it took
    expect(s.a!.steps).toEqual([{ id: 'engine', label: 'Docker engine reachable', state: 'passed', startedAt: 500, elapsedMs: 200 }]);
    expect(s.a!.output).toEqual(['Creating a_db_1 ... done']);
    expect(s.a!.gate!.startedAt).toBe(1000);
    expect(gateVerdict(s.a!.gate!)).toBe('passed');
  });

  it("keeps compose's sub-steps with their parent and time; an operation another process ran ends with its report", () => {
    let s: ProgressState = applyProgress({}, ev('up:a', { type: 'step', id: 'compose-up', label: 'compose up -d', state: 'running' }), 0);
    s = applyProgress(
      s,
      ev('up:a', { type: 'step', id: 'compose-up:svc:db', label: 'Creating db', state: 'running', parent: 'compose-up' }),
      100,
    );
    s = applyProgress(
      s,
      ev('up:a', { type: 'step', id: 'compose-up:svc:db', label: 'Creating db', state: 'passed', parent: 'compose-up', elapsedMs: 4200 }),
      4400,
    );
    expect(s.a!.steps[1]).toMatchObject({ parent: 'compose-up', state: 'passed', elapsedMs: 4200 });
    const report = {
      instance: 'a',
      passed: false,
      startedAt: '',
      elapsedMs: 1,
      timeoutMs: 1,
      checks: [],
      logTails: { backend: ['Traceback'] },
    };
    s = applyProgress(s, ev('up:a', { type: 'end', ok: false, gate: report }));
    expect(s.a!.finished).toBe(true);
    expect(s.a!.report).toEqual(report);
    expect(s.a!.error).toBeUndefined(); // the report says why; no second, generic error
    s = applyProgress(s, ev('up:a', { type: 'end', ok: false, message: 'compose failed' }));
    expect(s.a!.error?.message).toBe('compose failed');
  });

  it('a failed check fails the gate; skipped checks settle', () => {
    expect(gateVerdict({ checks: [check('a', 'failed'), check('b', 'pending')] })).toBe('failed');
    expect(gateVerdict({ checks: [check('a', 'passed'), check('b', 'skipped')] })).toBe('passed');
    expect(gateVerdict({ checks: [] })).toBe('running');
  });

  it('a new operation on the same target replaces the old one; a finished one restarts on its first step', () => {
    let s: ProgressState = applyProgress({}, ev('up:a', { type: 'gate-start', checks: [check('x', 'pending')], timeoutMs: 1 }));
    s = finishOperation(s, 'up:a');
    expect(s.a!.finished).toBe(true);
    s = applyProgress(s, ev('up:a', { type: 'step', id: 'engine', label: 'Docker engine reachable', state: 'running' }));
    expect(s.a!.finished).toBe(false);
    expect(s.a!.gate).toBeNull();
    s = applyProgress(s, ev('down:a', { type: 'step', id: 'compose-down', label: 'compose down', state: 'running' }));
    expect(s.a!.kind).toBe('down');
    expect(s.a!.steps.length).toBe(1);
  });

  it('finishing records the error; dismissing by operation only removes that finished operation', () => {
    let s: ProgressState = beginOperation({}, 'destroy:a');
    s = finishOperation(s, 'destroy:a', { code: 'DIRTY_WORK', message: 'Refusing', exitCode: 1 });
    expect(s.a!.error!.code).toBe('DIRTY_WORK');
    expect(dismissOperation(s, 'a', 'up:a')).toBe(s);
    expect(dismissOperation(s, 'a', 'destroy:a')).toEqual({});
    const running = beginOperation({}, 'up:a');
    expect(dismissOperation(running, 'a', 'up:a')).toBe(running);
    expect(dismissOperation(running, 'a')).toEqual({});
  });
});

describe('log store', () => {
  it('buffers per subscription (even before the subscription is known), capped', () => {
    const store = new LogStore(3, 2);
    let notified = 0;
    store.subscribe(() => notified++);
    for (let i = 0; i < 5; i++) store.push({ subscription: 's1', service: 'backend', stream: 'stdout', text: `l${i}` });
    expect(store.get('s1').lines.map((l) => l.text)).toEqual(['l2', 'l3', 'l4']);
    expect(store.get('s1').dropped).toBe(2);
    store.push({ subscription: 's2', service: 'db', stream: 'stderr', text: 'x' });
    store.push({ subscription: 's3', service: 'db', stream: 'stderr', text: 'y' });
    expect(store.get('s1').lines).toEqual([]); // the oldest buffer went
    expect(store.get(null).lines).toEqual([]);
    store.drop('s3');
    expect(store.get('s3').lines).toEqual([]);
    expect(notified).toBe(8);
  });
});
