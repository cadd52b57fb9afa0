// Entry: drop the access token from the address bar, read the state the server inlined into the page, and start
// the app (start.tsx: React, the transport, every view). When the page came with its first frame already in it
// (the dashboard server's top bar), the app's chunk — the bulk of the work before anything paints — is only
// evaluated once that frame is on screen; otherwise (Electron, a plain build) at once.
import { takeInitialData } from './api/initial-data';
import { scrubToken } from './api/url-token';
import './styles.css';

scrubToken(window.location, window.history);
const initial = takeInitialData(document);
const root = document.getElementById('root')!;
const start = (): void =>
  void import('./start').then(
    (m) => m.start(root, initial),
    (err: unknown) => {
      root.textContent = `The dashboard failed to load: ${err instanceof Error ? err.message : String(err)}. Reload the page.`;
    },
  );
if (root.querySelector('[data-shell]')) requestAnimationFrame(() => setTimeout(start, 0));
else start();
