// Interfaces of the services shared by the Electron shell and the dashboard server. The services hold no
// lifecycle logic of their own: handlers call the core use-cases; the state service keeps one live snapshot.
import type { Deps } from '../core/deps';
import type { ProgressEvent } from '../core/events';
import type {
  EventChannel,
  EventMap,
  InvokeArgs,
  InvokeChannel,
  InvokeValue,
  LogLineEvent,
  Result,
  Settings,
  Snapshot,
} from '../shared/contract';

/** What differs between Electron and a browser: opening things on the desktop, the clipboard, settings. */
export interface Platform {
  openExternal(url: string): Promise<void>;
  openPath(path: string): Promise<void>;
  openTerminal(path: string): Promise<void>;
  /** Returns true when the text was put on the clipboard (the browser transport copies client-side instead). */
  copyText(text: string): Promise<boolean>;
  settings: SettingsStore;
  /** Apply "start at login" to the OS (no-op outside Electron). */
  setStartAtLogin?(enabled: boolean): void;
}

export interface SettingsStore {
  get(): Settings;
  set(patch: Partial<Settings>): Settings;
}

export interface StateService {
  /** Subscribe to the Docker event stream and the registry file; build the first snapshot. */
  start(): Promise<void>;
  stop(): Promise<void>;
  current(): Snapshot;
  /** Listener called with every new snapshot; returns an unsubscribe function. */
  onChange(listener: (s: Snapshot) => void): () => void;
  /** Mark an operation in progress on an instance (null clears it); pushes a new snapshot. */
  setBusy(id: string, operation: string | null): void;
  /** Rebuild the snapshot now (after an operation finished). */
  refresh(): Promise<Snapshot>;
  /** Number of Docker API requests made so far (benchmarks assert 0 while idle). */
  engineRequests(): number;
}

export type Handlers = { [C in InvokeChannel]: (...args: InvokeArgs<C>) => Promise<InvokeValue<C>> };

export interface HandlerContext {
  deps: Deps;
  state: StateService;
  platform: Platform;
  /** Progress of a long operation, tagged with an operation id ("up:ktrdr--feat-a"). */
  emitProgress(operation: string, e: ProgressEvent): void;
  emitLog(e: LogLineEvent): void;
}

/** A sink for pushed events, implemented by IPC (webContents.send) and by SSE. */
export type EventSender = <E extends EventChannel>(event: E, payload: EventMap[E]) => void;

export type Dispatch = <C extends InvokeChannel>(channel: C, args: InvokeArgs<C>) => Promise<Result<InvokeValue<C>>>;
