// Compose under an engine watch: a lost engine turns a compose failure (or a hang) into ONE
// EngineUnavailableError and stops the compose command; a live engine leaves compose's own outcome alone.
import { describe, expect, it } from 'vitest';
import { watchCompose } from '../../../main/adapters/engine-watch';
import { EngineUnavailableError, type Compose, type ComposeTarget, type EngineInfo } from '../../../main/core/deps';

const target: ComposeTarget = { project: 'p', projectDir: '/x', files: [], envFile: '.env' };
const info: EngineInfo = { endpoint: 'e', version: '1', apiVersion: '1' };
const gone = () => new EngineUnavailableError('Docker is not running (sock)', 'sock');

function fakeCompose(up: (t: ComposeTarget) => Promise<void>): Compose {
  const no = () => Promise.reject(new Error('not faked'));
  return { info: no, up: (t: ComposeTarget) => up(t), down: no, stop: no, config: no, run: no } as unknown as Compose;
}

describe('watchCompose', () => {
  it('a compose failure with the engine gone is the engine error', async () => {
    const c = watchCompose(
      fakeCompose(() => Promise.reject(new Error('compose exited 1:\nTraceback …'))),
      { ping: () => Promise.reject(gone()) },
      10_000,
    );
    await expect(c.up(target)).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('a compose failure with the engine alive stays compose’s error', async () => {
    const c = watchCompose(
      fakeCompose(() => Promise.reject(new Error('compose exited 1'))),
      { ping: async () => info },
      10_000,
    );
    await expect(c.up(target)).rejects.toThrow('compose exited 1');
  });

  it('a hanging compose is stopped (its signal aborted) once a ping goes unanswered', async () => {
    let signal: AbortSignal | undefined;
    let pings = 0;
    const c = watchCompose(
      fakeCompose((t) => {
        signal = t.signal;
        return new Promise(() => undefined); // hangs
      }),
      { ping: () => (++pings >= 2 ? Promise.reject(gone()) : Promise.resolve(info)) },
      5,
    );
    await expect(c.up(target)).rejects.toBeInstanceOf(EngineUnavailableError);
    expect(signal?.aborted).toBe(true);
    expect(pings).toBe(2);
  });
});
