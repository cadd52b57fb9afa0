/// <reference types="vite/client" />
import type { Api } from '../../main/shared/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a browser. */
    ktrdr?: Api;
  }
}
export {};
