// Which transport the renderer talks through: the preload bridge inside Electron, HTTP + SSE in a browser.
import type { Api } from '../../../main/shared/contract';
import { createElectronTransport } from './electron-transport';
import { createHttpTransport, type HttpTransportOptions } from './http-transport';

export function isBridge(x: unknown): x is Api {
  const b = x as Partial<Api> | null | undefined;
  return typeof b === 'object' && b !== null && typeof b.invoke === 'function' && typeof b.on === 'function';
}

export function selectTransport(win: { ktrdr?: unknown } = globalThis as { ktrdr?: unknown }, http: HttpTransportOptions = {}): Api {
  return isBridge(win.ktrdr) ? createElectronTransport(win.ktrdr) : createHttpTransport(http);
}
