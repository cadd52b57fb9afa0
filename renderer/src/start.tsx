// The app itself — React, the transport and every view — in a chunk of its own, evaluated by main.tsx.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { InitialData } from './api/initial-data';
import { selectTransport } from './api/select-transport';

export function start(root: HTMLElement, initial: InitialData | null): void {
  const api = selectTransport(window as { ktrdr?: unknown });
  createRoot(root).render(
    <StrictMode>
      <App api={api} initial={initial} />
    </StrictMode>,
  );
}
