// Entry: drop the access token from the address bar, pick the transport (preload bridge in Electron, HTTP + SSE
// in a browser), and render the dashboard — at once from the state the server inlined into the page, if any.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeInitialData } from './api/initial-data';
import { selectTransport } from './api/select-transport';
import { scrubToken } from './api/url-token';
import './styles.css';

scrubToken(window.location, window.history);
const initial = takeInitialData(document);
const api = selectTransport(window as { ktrdr?: unknown });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initial={initial} />
  </StrictMode>,
);
