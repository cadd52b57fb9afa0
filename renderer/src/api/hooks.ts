// React glue: the Api in a context, the live snapshot, progress, settings, log buffers and a clock.
import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { Api, EventMap, Settings, Snapshot } from '../../../main/shared/contract';
import type { ErrorPayload } from '../../../main/shared/errors';
import { LogStore } from './log-store';
import { applyProgress, attachReport, beginOperation, dismissOperation, finishOperation, type ProgressState } from './progress-store';
import type { GateReport } from '../../../main/shared/types';
import type { ConnectionState, HttpApi } from './http-transport';

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

/**
 * The live snapshot: the one inlined into the page (if any), else fetched once; then pushed by `state` events
 * (the event stream starts with the current state, so an inlined snapshot is confirmed at once). null until the
 * first one arrives.
 */
export function useSnapshot(api: Api, initial?: Snapshot | null): { snapshot: Snapshot | null; error: ErrorPayload | null } {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(initial ?? null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const hadInitial = useRef(initial != null).current;
  useEffect(() => {
    let live = true;
    const accept = (s: Snapshot) => {
      if (!live) return;
      // never go back in time (an invoke answer may arrive after a newer pushed state)
      setSnapshot((cur) => (cur && cur.updatedAt > s.updatedAt ? cur : s));
      setError(null);
    };
    const off = api.on('state', accept);
    if (!hadInitial) {
      void api.invoke('snapshot').then((r) => {
        if (r.ok) accept(r.value);
        else if (live) setError(r.error);
      });
    }
    return () => {
      live = false;
      off();
    };
  }, [api, hadInitial]);
  return { snapshot, error };
}

type ProgressAction =
  | { type: 'event'; e: EventMap['progress'] }
  | { type: 'begin'; operation: string }
  | { type: 'finish'; operation: string; error?: ErrorPayload }
  | { type: 'dismiss'; target: string; operation?: string }
  | { type: 'report'; operation: string; report: GateReport | null };

function progressReducer(state: ProgressState, a: ProgressAction): ProgressState {
  switch (a.type) {
    case 'event':
      return applyProgress(state, a.e);
    case 'begin':
      return beginOperation(state, a.operation);
    case 'finish':
      return finishOperation(state, a.operation, a.error);
    case 'dismiss':
      return dismissOperation(state, a.target, a.operation);
    case 'report':
      return attachReport(state, a.operation, a.report);
  }
}

export function useProgress(api: Api) {
  const [progress, dispatch] = useReducer(progressReducer, {} as ProgressState);
  useEffect(() => api.on('progress', (e) => dispatch({ type: 'event', e })), [api]);
  return { progress, dispatch };
}

/** The settings: the ones inlined into the page (if any), else fetched once. */
export function useSettings(api: Api, initial?: Settings | null): [Settings | null, (s: Settings) => void] {
  const [settings, setSettings] = useState<Settings | null>(initial ?? null);
  const hadInitial = useRef(initial != null).current;
  useEffect(() => {
    if (hadInitial) return;
    let live = true;
    void api.invoke('getSettings').then((r) => {
      if (r.ok && live) setSettings(r.value);
    });
    return () => {
      live = false;
    };
  }, [api, hadInitial]);
  return [settings, setSettings];
}

/** One LogStore fed by every `log` event for the lifetime of the app. */
export function useLogStore(api: Api): LogStore {
  const store = useMemo(() => new LogStore(), []);
  useEffect(() => api.on('log', (e) => store.push(e)), [api, store]);
  return store;
}

/** Re-render on log store changes, at most once per animation frame. */
export function useLogVersion(store: LogStore): number {
  const frame = useRef<number | null>(null);
  const subscribe = useCallback(
    (notify: () => void) =>
      store.subscribe(() => {
        if (frame.current !== null) return;
        frame.current = requestAnimationFrame(() => {
          frame.current = null;
          notify();
        });
      }),
    [store],
  );
  return useSyncExternalStore(subscribe, () => store.version);
}

/** Current time, ticking every `ms` (relative times, elapsed clocks). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** The HTTP transport's event-stream state ('open' for Electron). */
export function useConnection(api: Api): ConnectionState {
  const [state, setState] = useState<ConnectionState>('open');
  useEffect(() => {
    const http = api as Partial<HttpApi>;
    if (api.transport !== 'http' || typeof http.onConnection !== 'function') return;
    return http.onConnection(setState);
  }, [api]);
  return state;
}
