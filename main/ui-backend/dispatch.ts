// The one entry of both surfaces' calls (IPC in the tray app, HTTP in the dashboard server): the channel checked,
// the handler run, its answer or error wrapped in the Result envelope, each call logged with its duration.
import type { InvokeArgs, InvokeChannel, InvokeValue, Result } from '../shared/contract';
import { isInvokeChannel } from '../shared/contract';
import { SandboxError, toErrorPayload } from '../core/errors';
import type { Dispatch, Handlers } from './types';

/** Where the long-running surfaces record every handler call (main/adapters/surface-log.ts). */
export interface CallLog {
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

/** Every call answered with the Result envelope: unknown channels and thrown errors become `{ ok: false }`. */
export function createDispatch(handlers: Handlers, log?: CallLog, now: () => number = Date.now): Dispatch {
  return async <C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<Result<InvokeValue<C>>> => {
    const t0 = now();
    // Only an instance id (the first argument when it is a short string) is named: inputs may hold anything.
    const first = Array.isArray(args) && typeof args[0] === 'string' && args[0].length <= 80 ? ` ${args[0]}` : '';
    const call = `${String(channel)}${first}`;
    try {
      if (!isInvokeChannel(channel)) throw new SandboxError('USAGE', `Unknown channel "${String(channel)}"`);
      if (!Array.isArray(args)) throw new SandboxError('USAGE', `Arguments of "${channel}" must be an array`);
      const fn = handlers[channel] as (...a: unknown[]) => Promise<InvokeValue<C>>;
      const value = await fn(...(args as unknown[]));
      log?.info(`call ${call} ok ${now() - t0}ms`);
      return { ok: true, value };
    } catch (err) {
      const payload = toErrorPayload(err);
      if (err instanceof SandboxError) log?.info(`call ${call} failed ${payload.code} ${now() - t0}ms: ${payload.message.split('\n')[0]}`);
      else log?.error(`call ${call} failed ${payload.code} ${now() - t0}ms`, err);
      return { ok: false, error: payload };
    }
  };
}
