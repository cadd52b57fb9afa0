// The renderer's `Api` over Electron IPC, built from an ipcRenderer-like object so it is unit-testable.
// Only contract channels get through: an unknown invoke channel answers with an error envelope, an unknown
// event throws. Listeners never receive the IpcRendererEvent (it would leak `sender`, i.e. ipcRenderer itself).
import {
  EVENT_CHANNELS,
  ipcEventName,
  ipcInvokeName,
  isInvokeChannel,
  type Api,
  type EventChannel,
  type EventMap,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeValue,
  type Result,
} from '../main/shared/contract';

/** The part of Electron's ipcRenderer the api uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function isEventChannel(x: unknown): x is EventChannel {
  return typeof x === 'string' && (EVENT_CHANNELS as readonly string[]).includes(x);
}

// Error payloads built here (not imported from the core) so the sandboxed preload bundle stays tiny.
function failure<T>(code: 'USAGE' | 'INTERNAL', message: string): Result<T> {
  return { ok: false, error: { code, message, exitCode: 1 } };
}

function isEnvelope(x: unknown): x is Result<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { ok?: unknown }).ok === 'boolean';
}

export function createPreloadApi(ipc: IpcRendererLike): Api {
  const api: Api = {
    transport: 'electron',
    async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<InvokeValue<C>>> {
      if (!isInvokeChannel(channel)) return failure('USAGE', `Unknown channel: ${String(channel)}`);
      try {
        const res = await ipc.invoke(ipcInvokeName(channel), ...args);
        if (!isEnvelope(res)) return failure('INTERNAL', `${channel}: malformed reply from the main process`);
        return res as Result<InvokeValue<C>>;
      } catch (err) {
        // No handler registered, a reply that could not be cloned, the main process going away…
        return failure('INTERNAL', err instanceof Error ? err.message : String(err));
      }
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      if (!isEventChannel(event)) throw new TypeError(`Unknown event: ${String(event)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const wire = ipcEventName(event);
      const wrapper = (_event: unknown, payload: unknown): void => listener(payload as EventMap[E]);
      ipc.on(wire, wrapper);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipc.removeListener(wire, wrapper);
      };
    },
  };
  return Object.freeze(api);
}
