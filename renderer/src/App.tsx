// The dashboard: one screen of instance cards, live from the state service; dialogs for create, destroy and
// settings; a logs drawer; toasts for errors with the core's own message.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Api, Settings } from '../../main/shared/contract';
import type { ErrorPayload } from '../../main/shared/errors';
import type { InstanceView } from '../../main/shared/views';
import type { InitialData } from './api/initial-data';
import { ApiContext, useConnection, useLogStore, useNow, useProgress, useSettings, useSnapshot } from './api/hooks';
import { splitOperation } from './api/progress-store';
import { useGateNotifications } from './api/notify';
import { summarise } from '../../main/shared/summary';
import { BulkActions } from './components/BulkActions';
import { openerFailed } from './components/card-actions';
import { AppContext, type AppState, type Toast } from './app-context';
import { ConnectionBanner, EngineBanner, ProblemsBanner } from './components/Banners';
import { InstanceCard } from './components/InstanceCard';
import { Toasts } from './components/Toasts';
import { CreateDialog } from './views/CreateDialog';
import { DestroyDialog } from './views/DestroyDialog';
import { EmptyState } from './views/EmptyState';
import { LogsPanel } from './views/LogsPanel';
import { SettingsPanel } from './views/SettingsPanel';

type DialogState = { kind: 'create' } | { kind: 'destroy'; view: InstanceView } | { kind: 'settings' } | null;

/** Operations whose finished record stays on the card (it shows the gate's verdict); others fade out. */
const KEEP_FINISHED = new Set(['up', 'restart', 'gate']);

export function App({ api, initial = null }: { api: Api; initial?: InitialData | null }) {
  const { snapshot, error } = useSnapshot(api, initial?.snapshot);
  const { progress, dispatch } = useProgress(api);
  const [settings, setSettings] = useSettings(api, initial?.settings);
  const logs = useLogStore(api);
  const connection = useConnection(api);
  const now = useNow(5000);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [logsFor, setLogsFor] = useState<{ id: string; service?: string } | null>(null);
  const nextToast = useRef(1);
  const logsOpener = useRef<HTMLElement | null>(null);
  const appRef = useRef<AppState | null>(null);
  useGateNotifications(api, progress, settings?.notifications ?? false);

  const theme = settings?.theme ?? 'system';
  // before the browser paints: with the settings inlined into the page, the first paint has the right theme
  useLayoutEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  const dismissToast = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const toast = useCallback(
    (t: Omit<Toast, 'id'>) => {
      const id = nextToast.current++;
      setToasts((ts) => [...ts.slice(-4), { ...t, id }]);
      if (t.kind !== 'error') setTimeout(() => dismissToast(id), 5000);
    },
    [dismissToast],
  );
  const errorToast = useCallback(
    (title: string, e: ErrorPayload) => toast({ kind: 'error', title, message: e.message, hint: e.hint }),
    [toast],
  );

  // Inside Electron, links open in the default browser through the main process, never in the app.
  useEffect(() => {
    if (api.transport !== 'electron') return;
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || !/^https?:/i.test(a.href)) return;
      e.preventDefault();
      void api.invoke('openLink', a.href).then((r) => {
        if (!r.ok && appRef.current)
          openerFailed(appRef.current, 'Could not open the link', r.error, { label: 'Copy the URL', text: a.href });
        else if (!r.ok) errorToast('Could not open the link', r.error);
      });
    };
    document.addEventListener('click', onClick);
    document.addEventListener('auxclick', onClick);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('auxclick', onClick);
    };
  }, [api, errorToast]);

  // The tray's "Create instance…" opens the window at #create.
  useEffect(() => {
    const fromHash = () => {
      if (window.location.hash === '#create') setDialog({ kind: 'create' });
    };
    fromHash();
    window.addEventListener('hashchange', fromHash);
    return () => window.removeEventListener('hashchange', fromHash);
  }, []);

  const app = useMemo<AppState | null>(() => {
    if (!snapshot) return null;
    return {
      snapshot,
      settings,
      progress,
      logs,
      async run(operation, call, opts) {
        dispatch({ type: 'begin', operation });
        const r = await call();
        dispatch({ type: 'finish', operation, error: r.ok ? undefined : r.error });
        const { kind, target } = splitOperation(operation);
        if (!r.ok && !opts?.quiet) errorToast(`${kind} ${target} failed`, r.error);
        if (r.ok && !KEEP_FINISHED.has(kind)) setTimeout(() => dispatch({ type: 'dismiss', target, operation }), 2500);
        return r;
      },
      dismissProgress: (target) => dispatch({ type: 'dismiss', target }),
      attachReport: (operation, report) => dispatch({ type: 'report', operation, report }),
      toast,
      errorToast,
      openCreate: () => setDialog({ kind: 'create' }),
      openDestroy: (view) => setDialog({ kind: 'destroy', view }),
      openLogs: (id, service) => {
        // focus goes back here when the panel closes (unless the panel is already open: keep the first opener)
        if (!logsOpener.current) logsOpener.current = document.activeElement as HTMLElement | null;
        setLogsFor(service ? { id, service } : { id });
      },
      openSettings: () => setDialog({ kind: 'settings' }),
      async saveSettings(patch: Partial<Settings>) {
        const r = await api.invoke('setSettings', patch);
        if (!r.ok) {
          errorToast('Settings not saved', r.error);
          return false;
        }
        setSettings(r.value);
        return true;
      },
    };
  }, [snapshot, settings, progress, logs, dispatch, toast, errorToast, api, setSettings]);

  appRef.current = app;
  if (!app || !snapshot) {
    return (
      <div className="loading" data-testid="loading">
        {error ? (
          <div className="inline-error">
            <strong>Cannot reach the dashboard service.</strong> {error.message}
          </div>
        ) : (
          'Loading…'
        )}
        <Toasts toasts={toasts} dismiss={dismissToast} />
      </div>
    );
  }

  const closeDialog = () => {
    setDialog(null);
    if (window.location.hash === '#create') history.replaceState(null, '', window.location.pathname + window.location.search);
  };

  const { instances, orphans } = snapshot;
  return (
    <ApiContext.Provider value={api}>
      <AppContext.Provider value={app}>
        <div
          className={`app${logsFor ? ' with-logs' : ''}`}
          data-testid="app"
          data-engine={snapshot.engine.state}
          data-transport={api.transport}
        >
          <header className="topbar">
            <h1 className="brand" tabIndex={-1}>
              <span className="logo" aria-hidden="true" />
              <span>ktrdr-sandbox</span>
            </h1>
            <div className="summary" data-testid="summary" role="status">
              {summarise(snapshot)}
            </div>
            <span className="spacer" />
            {snapshot.repository && (
              <span className="repo mono" title={`Repository: ${snapshot.repository}`}>
                {/* the box is right-to-left so a long path keeps its end; the isolate keeps the path itself left-to-right */}
                <bdi dir="ltr">{snapshot.repository}</bdi>
              </span>
            )}
            <div className="topbar-actions">
              <button
                type="button"
                className="primary"
                data-testid="create-button"
                onClick={app.openCreate}
                disabled={!snapshot.repository}
              >
                + Create<span className="wide-only"> instance</span>
              </button>
              <button type="button" data-testid="settings-button" onClick={app.openSettings} disabled={!settings}>
                Settings
              </button>
            </div>
          </header>

          <main className="content">
            <ConnectionBanner state={connection} />
            <EngineBanner engine={snapshot.engine} />
            <ProblemsBanner problems={snapshot.problems} />
            {instances.length === 0 && snapshot.problems.length === 0 ? (
              <EmptyState />
            ) : (
              <>
                <BulkActions instances={instances} />
                <div className="cards" data-testid="instances">
                  {instances.map((v) => (
                    <InstanceCard key={v.id} view={v} now={now} />
                  ))}
                </div>
              </>
            )}
            {orphans.length > 0 && (
              <section className="orphans" data-testid="orphans">
                <h2 className="section-title">Unregistered stacks that look like sandboxes</h2>
                <ul>
                  {orphans.map((o) => (
                    <li key={o.project}>
                      <span className="mono">{o.project}</span> — {o.running}/{o.containers} running
                      {o.workingDir ? ` · ${o.workingDir}` : ''}
                    </li>
                  ))}
                </ul>
                <p className="muted small">
                  Register one with <code>ktrdr-sandbox init</code> in its directory, or remove them with{' '}
                  <code>ktrdr-sandbox prune --orphans</code>.
                </p>
              </section>
            )}
          </main>

          {logsFor && (
            <LogsPanel
              id={logsFor.id}
              service={logsFor.service}
              onClose={() => {
                setLogsFor(null);
                const opener = logsOpener.current;
                logsOpener.current = null;
                if (opener?.isConnected) opener.focus();
                else document.querySelector<HTMLElement>('h1')?.focus();
              }}
            />
          )}
          {dialog?.kind === 'create' && <CreateDialog onClose={closeDialog} />}
          {dialog?.kind === 'destroy' && <DestroyDialog view={dialog.view} onClose={closeDialog} />}
          {dialog?.kind === 'settings' && settings && <SettingsPanel settings={settings} onClose={closeDialog} />}
          <Toasts toasts={toasts} dismiss={dismissToast} />
        </div>
      </AppContext.Provider>
    </ApiContext.Provider>
  );
}
