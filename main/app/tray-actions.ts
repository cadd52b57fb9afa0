// What a tray click does, as data: a contract call through the shared dispatch (the same path as the window and
// the dashboard server — no lifecycle logic here), a window to show, or quitting. Pure, unit-tested.
import type { InvokeChannel, Result, Settings } from '../shared/contract';
import type { Dispatch } from '../ui-backend/types';
import type { TrayAction } from './tray-menu';

export type TrayStep =
  | {
      type: 'invoke';
      channel: InvokeChannel;
      args: unknown[];
      /** Title of the notification shown when the call fails. */
      failure: string;
      /** Title of the notification confirming success (for actions with no visible effect, e.g. copying). */
      success?: string;
    }
  | { type: 'window'; hash?: string }
  | { type: 'quit' };

export function trayStep(a: TrayAction, settings: Pick<Settings, 'startAtLogin'>): TrayStep {
  switch (a.kind) {
    case 'up':
      return { type: 'invoke', channel: 'up', args: [a.id], failure: `Could not start ${a.id}` };
    case 'down':
      return { type: 'invoke', channel: 'down', args: [a.id], failure: `Could not stop ${a.id}` };
    case 'restart':
      return { type: 'invoke', channel: 'restart', args: [a.id], failure: `Could not restart ${a.id}` };
    case 'openLink':
      return { type: 'invoke', channel: 'openLink', args: [a.url], failure: `Could not open ${a.url}` };
    case 'openFolder':
      return { type: 'invoke', channel: 'openFolder', args: [a.id], failure: `Could not open the folder of ${a.id}` };
    case 'openTerminal':
      return { type: 'invoke', channel: 'openTerminal', args: [a.id], failure: `Could not open a terminal for ${a.id}` };
    case 'copyEnv':
      return {
        type: 'invoke',
        channel: 'copyEnv',
        args: [a.id],
        failure: `Could not copy the environment of ${a.id}`,
        success: `Environment of ${a.id} copied`,
      };
    case 'toggleStartAtLogin':
      return {
        type: 'invoke',
        channel: 'setSettings',
        args: [{ startAtLogin: !settings.startAtLogin }],
        failure: 'Could not change "Start at login"',
      };
    case 'create':
      return { type: 'window', hash: 'create' };
    case 'openDashboard':
      return { type: 'window' };
    case 'quit':
      return { type: 'quit' };
  }
}

/** Run an invoke step through the dispatch (which never throws; the envelope tells success from failure). */
export function invokeStep(dispatch: Dispatch, step: Extract<TrayStep, { type: 'invoke' }>): Promise<Result<unknown>> {
  // The channel/args pairing is built above from the contract's own names; the dispatch validates arguments again.
  return (dispatch as (c: InvokeChannel, args: unknown[]) => Promise<Result<unknown>>)(step.channel, step.args);
}
