import { describe, expect, it } from 'vitest';
import { invokeStep, trayStep } from '../../../main/app/tray-actions';
import type { InvokeChannel } from '../../../main/shared/contract';
import type { Dispatch } from '../../../main/ui-backend/types';

const settings = { startAtLogin: false };

describe('trayStep', () => {
  it('routes lifecycle and desktop actions through contract channels', () => {
    expect(trayStep({ kind: 'up', id: 'a' }, settings)).toMatchObject({
      type: 'invoke',
      channel: 'up',
      args: ['a'],
      failure: 'Could not start a',
    });
    expect(trayStep({ kind: 'down', id: 'a' }, settings)).toMatchObject({ channel: 'down', args: ['a'] });
    expect(trayStep({ kind: 'restart', id: 'a' }, settings)).toMatchObject({ channel: 'restart', args: ['a'] });
    expect(trayStep({ kind: 'openLink', url: 'http://localhost:3001' }, settings)).toMatchObject({
      channel: 'openLink',
      args: ['http://localhost:3001'],
    });
    expect(trayStep({ kind: 'openFolder', id: 'a' }, settings)).toMatchObject({ channel: 'openFolder', args: ['a'] });
    expect(trayStep({ kind: 'openTerminal', id: 'a' }, settings)).toMatchObject({ channel: 'openTerminal', args: ['a'] });
    expect(trayStep({ kind: 'copyEnv', id: 'a' }, settings)).toMatchObject({
      channel: 'copyEnv',
      args: ['a'],
      success: 'Environment of a copied',
    });
  });
  it('toggles start at login through setSettings', () => {
    expect(trayStep({ kind: 'toggleStartAtLogin' }, { startAtLogin: false })).toMatchObject({
      channel: 'setSettings',
      args: [{ startAtLogin: true }],
    });
    expect(trayStep({ kind: 'toggleStartAtLogin' }, { startAtLogin: true })).toMatchObject({
      channel: 'setSettings',
      args: [{ startAtLogin: false }],
    });
  });
  it('opens the window (on the create dialog) or quits', () => {
    expect(trayStep({ kind: 'create' }, settings)).toEqual({ type: 'window', hash: 'create' });
    expect(trayStep({ kind: 'openDashboard' }, settings)).toEqual({ type: 'window' });
    expect(trayStep({ kind: 'quit' }, settings)).toEqual({ type: 'quit' });
  });
  it('invokes through the dispatch', async () => {
    const calls: [InvokeChannel, unknown[]][] = [];
    const dispatch = (async (c: InvokeChannel, a: unknown[]) => {
      calls.push([c, a]);
      return { ok: true, value: { id: 'a' } };
    }) as unknown as Dispatch;
    const step = trayStep({ kind: 'down', id: 'a' }, settings);
    if (step.type !== 'invoke') throw new Error('expected invoke');
    await expect(invokeStep(dispatch, step)).resolves.toEqual({ ok: true, value: { id: 'a' } });
    expect(calls).toEqual([['down', ['a']]]);
  });
});
