// compose's output lines (v1 and v2) → timed sub-steps of "compose up -d".
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../main/core/events';
import { composeProgress, parseComposeLine, serviceOfContainer } from '../../../main/core/compose-progress';

const P = 'ktrdr--feat.a';

describe('compose progress', () => {
  it('names the service of a v1 or v2 container (v1 drops "." from the project)', () => {
    expect(serviceOfContainer('ktrdr--feata_backend_1', P)).toBe('backend');
    expect(serviceOfContainer('ktrdr--feat.a-backtest-worker-1-1', P)).toBe('backtest-worker-1');
    expect(serviceOfContainer('ktrdr--feata_training-worker-2_1', P)).toBe('training-worker-2');
  });

  it('reads v1 and v2 lines; anything else is not progress', () => {
    expect(parseComposeLine('Creating network "ktrdr--feata_default" with the default driver', P)).toMatchObject({
      key: 'network:ktrdr--feata_default',
      state: 'passed',
    });
    expect(parseComposeLine('Creating ktrdr--feata_db_1 ... ', P)).toEqual({ key: 'svc:db', label: 'Creating db', state: 'running' });
    expect(parseComposeLine('Creating ktrdr--feata_db_1 ... done', P)).toEqual({ key: 'svc:db', label: 'Creating db', state: 'passed' });
    expect(parseComposeLine('Starting ktrdr--feata_db_1 ... error', P)).toMatchObject({ key: 'svc:db', state: 'failed' });
    expect(parseComposeLine('Building backend', P)).toMatchObject({ key: 'build:backend', state: 'running' });
    expect(parseComposeLine(' Container ktrdr--feat.a-db-1  Waiting', P)).toEqual({
      key: 'wait:db',
      label: 'Waiting for db',
      state: 'running',
    });
    expect(parseComposeLine(' Container ktrdr--feat.a-db-1  Healthy', P)).toMatchObject({ key: 'wait:db', state: 'passed' });
    expect(parseComposeLine(' Container ktrdr--feat.a-backend-1  Starting', P)).toEqual({
      key: 'svc:backend',
      label: 'Starting backend',
      state: 'running',
    });
    expect(parseComposeLine(' Container ktrdr--feat.a-backend-1  Started', P)).toEqual({
      key: 'svc:backend',
      label: 'Started backend',
      state: 'passed',
    });
    expect(parseComposeLine('WARNING: Found orphan containers', P)).toBeNull();
    expect(parseComposeLine('', P)).toBeNull();
  });

  it('emits each sub-step on change only, with its elapsed time when it ends, and ends what compose left running', () => {
    const events: ProgressEvent[] = [];
    let t = 1000;
    const p = composeProgress(
      'ktrdr--x',
      'compose-up',
      (e) => events.push(e),
      () => t,
    );
    p.line('Building backend');
    t += 500;
    p.line('Step 2/5 : RUN apt-get install -y python3');
    t += 2500;
    p.line('Creating ktrdr--x_db_1 ... ');
    p.line('Creating ktrdr--x_db_1 ... ');
    t += 4000;
    p.line('Creating ktrdr--x_db_1 ... done');
    p.line('Creating ktrdr--x_backend_1 ... ');
    t += 1000;
    p.end(true);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.every((e) => e.type === 'step' && e.parent === 'compose-up' && e.id.startsWith('compose-up:'))).toBe(true);
    expect(steps.map((e) => e.type === 'step' && [e.label, e.state, e.elapsedMs])).toEqual([
      ['Building image of backend', 'running', undefined],
      ['Building image of backend — build step 2/5: RUN apt-get install -y python3', 'running', undefined],
      ['Building image of backend', 'passed', 3000],
      ['Creating db', 'running', undefined],
      ['Creating db', 'passed', 4000],
      ['Creating backend', 'running', undefined],
      ['Creating backend', 'passed', 1000],
    ]);
  });
});
