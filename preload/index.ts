// Sandboxed preload: exposes exactly the contract's `Api` as `window.ktrdr` — never ipcRenderer itself.
// Bundled to CommonJS (electron.vite.config.ts): a sandboxed preload can require only 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api';

contextBridge.exposeInMainWorld('ktrdr', createPreloadApi(ipcRenderer));
