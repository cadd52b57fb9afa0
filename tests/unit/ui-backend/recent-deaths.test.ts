import { describe, expect, it } from 'vitest';
import { DEATH_WINDOW_MS, trustRecentDeaths } from '../../../main/ui-backend/state-triggers';
import type { ContainerInfo } from '../../../main/shared/types';

const c = (id: string, state: ContainerInfo['state'] = 'running'): ContainerInfo => ({
  id,
  name: id,
  project: 'p',
  service: id,
  state,
  status: state === 'running' ? 'Up 3 seconds' : 'Exited (0)',
  health: 'healthy',
  ports: [],
  oneOff: false,
});

describe('a die event outranks a listing that still says running', () => {
  it('takes a container that died moments ago as exited, and says the listing was stale', () => {
    const deaths = new Map([['w1', 1_000]]);
    const r = trustRecentDeaths([c('w1'), c('db')], deaths, 1_200);
    expect(r.stale).toBe(true);
    expect(r.containers.map((x) => [x.id, x.state, x.health])).toEqual([
      ['w1', 'exited', 'none'],
      ['db', 'running', 'healthy'],
    ]);
  });

  it('believes the listing once the window has passed, and forgets the death', () => {
    const deaths = new Map([['w1', 1_000]]);
    const r = trustRecentDeaths([c('w1')], deaths, 1_000 + DEATH_WINDOW_MS + 1);
    expect(r).toEqual({ containers: [c('w1')], stale: false });
    expect(deaths.size).toBe(0);
  });

  it('is not stale when the listing already agrees', () => {
    const r = trustRecentDeaths([c('w1', 'exited')], new Map([['w1', 1_000]]), 1_100);
    expect(r.stale).toBe(false);
  });
});
