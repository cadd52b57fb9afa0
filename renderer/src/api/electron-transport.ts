// The contract through the preload bridge (`window.ktrdr`). The bridge already answers with envelopes; this
// wrapper only guarantees that nothing ever throws into the UI, even if the bridge misbehaves.
import type { Api, EventChannel, EventMap, InvokeArgs, InvokeChannel, InvokeValue, Result } from '../../../main/shared/contract';

export function createElectronTransport(bridge: Api): Api {
  return {
    transport: 'electron',
    async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<InvokeValue<C>>> {
      try {
        return await bridge.invoke(channel, ...args);
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), exitCode: 1 } };
      }
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      return bridge.on(event, listener);
    },
  };
}
