// Typed IPC for the Electron shell: one `ipcMain.handle` per contract invoke channel, each answering with the
// contract's envelope through the shared Dispatch (the same one the dashboard server uses), and an EventSender that
// pushes `state` / `progress` / `log` events to every window. Electron is only used through the small structural
// interfaces below, so all of this runs in unit tests with fakes.
import {
  INVOKE_CHANNELS,
  ipcEventName,
  ipcInvokeName,
  type EventChannel,
  type EventMap,
  type InvokeArgs,
  type InvokeChannel,
  type Result,
} from '../shared/contract';
import { EXIT, toErrorPayload, type ErrorPayload } from '../core/errors';
import type { Dispatch, EventSender } from '../ui-backend/types';

/** The part of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of IpcMainInvokeEvent we look at. */
export interface IpcInvokeEventLike {
  senderFrame?: { url: string } | null;
}

/** The part of WebContents we use. */
export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

type ArgKind = 'string' | 'object' | 'number';
interface ArgSpec {
  required: readonly ArgKind[];
  optional: readonly ArgKind[];
}

/** Shape of each channel's argument list. A mapped type, so a channel added to the contract must be added here. */
export const ARG_SPECS: { readonly [C in InvokeChannel]: ArgSpec } = {
  snapshot: { required: [], optional: [] },
  status: { required: ['string'], optional: [] },
  slots: { required: [], optional: [] },
  checkName: { required: ['string'], optional: [] },
  create: { required: ['object'], optional: [] },
  up: { required: ['string'], optional: ['object'] },
  down: { required: ['string'], optional: ['object'] },
  restart: { required: ['string'], optional: [] },
  destroy: { required: ['string'], optional: ['object'] },
  destroyPreview: { required: ['string'], optional: [] },
  gate: { required: ['string'], optional: [] },
  cancel: { required: ['string'], optional: [] },
  logs: { required: ['string', 'string'], optional: ['object'] },
  followLogs: { required: ['string', 'string'], optional: ['object'] },
  stopLogs: { required: ['string'], optional: [] },
  openLink: { required: ['string'], optional: [] },
  openFolder: { required: ['string'], optional: [] },
  openTerminal: { required: ['string'], optional: [] },
  copyEnv: { required: ['string'], optional: [] },
  getSettings: { required: [], optional: [] },
  setSettings: { required: ['object'], optional: [] },
  snapshots: { required: [], optional: [] },
  reset: { required: ['string'], optional: ['object'] },
  sharedReset: { required: ['string'], optional: ['object'] },
  sharedOverlay: { required: ['string', 'object'], optional: [] },
};

/** [contract channel, wire name] for every invoke channel. */
export function invokeChannelTable(): { channel: InvokeChannel; wire: string }[] {
  return INVOKE_CHANNELS.map((channel) => ({ channel, wire: ipcInvokeName(channel) }));
}

function kindOf(x: unknown): ArgKind | 'other' {
  if (typeof x === 'string') return 'string';
  if (typeof x === 'number' && Number.isFinite(x)) return 'number';
  if (typeof x === 'object' && x !== null && !Array.isArray(x)) return 'object';
  return 'other';
}

function usage(message: string): ErrorPayload {
  return { code: 'USAGE', message, exitCode: EXIT.error };
}

/** Checks an argument list against the channel's shape: null when fine, else an error payload. */
export function validateArgs(channel: InvokeChannel, args: unknown): ErrorPayload | null {
  if (!Array.isArray(args)) return usage(`${channel}: arguments must be an array`);
  const spec = ARG_SPECS[channel];
  const max = spec.required.length + spec.optional.length;
  if (args.length < spec.required.length || args.length > max) {
    const expected = spec.optional.length ? `${spec.required.length}–${max}` : `${spec.required.length}`;
    return usage(`${channel}: expected ${expected} argument(s), got ${args.length}`);
  }
  for (let i = 0; i < args.length; i++) {
    const want = i < spec.required.length ? spec.required[i] : spec.optional[i - spec.required.length];
    const arg: unknown = args[i];
    // An optional trailing argument may be passed as undefined.
    if (i >= spec.required.length && arg === undefined) continue;
    if (kindOf(arg) !== want) return usage(`${channel}: argument ${i + 1} must be ${want === 'object' ? 'an object' : `a ${want}`}`);
  }
  return null;
}

/** Validate, dispatch, and turn anything thrown into an envelope: the renderer never sees a raw exception. */
export async function handleInvoke(dispatch: Dispatch, channel: InvokeChannel, args: unknown): Promise<Result<unknown>> {
  const invalid = validateArgs(channel, args);
  if (invalid) return { ok: false, error: invalid };
  try {
    return await dispatch(channel, args as InvokeArgs<typeof channel>);
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}

export interface RegisterIpcOptions {
  /** Reject calls from frames that are not our renderer (e.g. a navigated-away or injected frame). */
  isTrustedSender?(url: string): boolean;
}

/** Registers one handler per invoke channel; returns a function removing them all. */
export function registerIpc(ipcMain: IpcMainLike, dispatch: Dispatch, opts: RegisterIpcOptions = {}): () => void {
  const table = invokeChannelTable();
  for (const { channel, wire } of table) {
    ipcMain.handle(wire, (event, ...args) => {
      const url = event.senderFrame?.url ?? '';
      if (opts.isTrustedSender && !opts.isTrustedSender(url)) {
        return Promise.resolve<Result<unknown>>({ ok: false, error: usage(`${channel}: refused from an untrusted frame`) });
      }
      return handleInvoke(dispatch, channel, args);
    });
  }
  return () => {
    for (const { wire } of table) ipcMain.removeHandler(wire);
  };
}

/** An EventSender that pushes each event to every live window (webContents.send on the prefixed channel). */
export function createIpcEventSender(targets: () => Iterable<WebContentsLike>): EventSender {
  return <E extends EventChannel>(event: E, payload: EventMap[E]) => {
    const wire = ipcEventName(event);
    for (const wc of targets()) {
      if (wc.isDestroyed()) continue;
      try {
        wc.send(wire, payload);
      } catch {
        // A window torn down between the check and the send: nothing to deliver to.
      }
    }
  };
}
