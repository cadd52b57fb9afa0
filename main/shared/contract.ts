// THE contract between the core and every UI surface. Imported by Electron main (IPC handlers), the preload
// (which exposes it through contextBridge), the dashboard server (HTTP + SSE) and the renderer (whose `Api`
// object is implemented by either transport). Type-only imports keep it free of Node code for the renderer.
import type { ErrorPayload } from './errors';
import type { ProgressEvent } from './events';
import type { GateReport } from './types';
import type { InstanceView } from './views';
import type {
  DestroyPreview,
  DestroyResult,
  InstanceDetails,
  OrphanProject,
  SharedOverlayChoiceResult,
  SharedResetResult,
  StatusResult,
  UpResult,
} from './results';
import type { ResetResult, SnapshotSummary } from './snapshot-types';

export const CONTRACT_VERSION = 1;

/** Every handler answers with an envelope: the renderer never sees a raw exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export type EngineState =
  | { state: 'up'; endpoint: string; version: string }
  | { state: 'down'; endpoint: string; message: string; retryInMs: number }
  | { state: 'connecting'; endpoint: string };

/** One live snapshot: registry ∪ containers ∪ last gate. Pushed on every change (event `state`). */
export interface Snapshot {
  engine: EngineState;
  instances: InstanceView[];
  orphans: OrphanProject[];
  /** instance id → operation in progress ("starting", "stopping", "destroying", "restarting", "gate") */
  busy: Record<string, string>;
  /** The repository `create` works from (settings.repositoryRoot, or the server's working directory). */
  repository: string | null;
  /** Registry problems (e.g. unreadable file) shown instead of silently emptying the view. */
  problems: string[];
  updatedAt: number;
}

export type SlotState = 'free' | 'taken' | 'blacklisted';

export interface SlotInfo {
  slot: number;
  state: SlotState;
  holder?: string;
  reason?: string;
  apiPort: number;
}

export interface NameCheck {
  name: string;
  valid: boolean;
  message?: string;
  id?: string;
  path?: string;
  branchExists?: boolean;
  /** The branch named like the instance is checked out there (git refuses a second worktree of it). */
  branchCheckedOutAt?: string;
}

export interface Settings {
  repositoryRoot: string | null;
  theme: 'system' | 'light' | 'dark';
  startAtLogin: boolean;
  notifications: boolean;
}

export interface CreateInput {
  name: string;
  branch?: string;
  /** Create `branch` from HEAD (it must not exist); without it a given branch must exist. */
  newBranch?: boolean;
  slot?: number;
  /** Fill the volumes from this snapshot; undefined: the repository's default snapshot; null: start empty. */
  snapshot?: string | null;
  /** Its own shared data overlay: true = every shared folder read-only through an overlay, false = read-write; absent: the manifest decides. */
  sharedOverlay?: boolean;
}

export interface LogLineEvent {
  subscription: string;
  service: string;
  stream: 'stdout' | 'stderr';
  text: string;
  /** Docker's RFC 3339 timestamp of the line, when known (the panel merges services by it). */
  time?: string;
}

/** Invoke channels: name → [arguments tuple, result value]. */
export interface InvokeMap {
  snapshot: [[], Snapshot];
  status: [[id: string], StatusResult];
  slots: [[], SlotInfo[]];
  checkName: [[name: string], NameCheck];
  create: [[input: CreateInput], InstanceDetails];
  up: [[id: string, opts?: { build?: boolean; createExternals?: boolean }], UpResult];
  down: [[id: string, opts?: { volumes?: boolean }], { id: string }];
  restart: [[id: string], UpResult];
  destroy: [[id: string, opts?: { force?: boolean }], DestroyResult];
  /** What destroy would delete and lose, before the click (reads only). */
  destroyPreview: [[id: string], DestroyPreview];
  gate: [[id: string], GateReport];
  /** Cancel a running Start/Restart of the instance (true when one was running). */
  cancel: [[id: string], boolean];
  logs: [[id: string, service: string, opts?: { tail?: number }], string[]];
  /** service "*": every service of the instance in one subscription (each line names its service). */
  followLogs: [[id: string, service: string, opts?: { tail?: number }], { subscription: string }];
  stopLogs: [[subscription: string], void];
  openLink: [[url: string], void];
  openFolder: [[id: string], void];
  openTerminal: [[id: string], void];
  copyEnv: [[id: string], string];
  getSettings: [[], Settings];
  setSettings: [[patch: Partial<Settings>], Settings];
  /** Volume snapshots of the current repository (issue 14). */
  snapshots: [[], SnapshotSummary[]];
  reset: [[id: string, opts?: { snapshot?: string; force?: boolean }], ResetResult];
  /** Drop the instance's writes to its overlaid shared folders (`shared reset`; all, or opts.folders). */
  sharedReset: [[id: string, opts?: { folders?: string[] }], SharedResetResult];
  /** The instance's own shared overlay choice (`shared overlay ID on [FOLDER…] | off`), applied by its next start. */
  sharedOverlay: [[id: string, choice: { on: boolean; folders?: string[] }], SharedOverlayChoiceResult];
}

export type InvokeChannel = keyof InvokeMap;
export type InvokeArgs<C extends InvokeChannel> = InvokeMap[C][0];
export type InvokeValue<C extends InvokeChannel> = InvokeMap[C][1];

export const INVOKE_CHANNELS = [
  'snapshot',
  'status',
  'slots',
  'checkName',
  'create',
  'up',
  'down',
  'restart',
  'destroy',
  'destroyPreview',
  'gate',
  'cancel',
  'logs',
  'followLogs',
  'stopLogs',
  'openLink',
  'openFolder',
  'openTerminal',
  'copyEnv',
  'getSettings',
  'setSettings',
  'snapshots',
  'reset',
  'sharedReset',
  'sharedOverlay',
] as const satisfies readonly InvokeChannel[];

/** Event channels pushed from main to renderer. */
export interface EventMap {
  state: Snapshot;
  progress: ProgressEvent & { operation: string };
  log: LogLineEvent;
}

export type EventChannel = keyof EventMap;
export const EVENT_CHANNELS = ['state', 'progress', 'log'] as const satisfies readonly EventChannel[];

/** The object the renderer talks to, whatever the transport (Electron preload or HTTP + SSE). */
export interface Api {
  readonly transport: 'electron' | 'http';
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<InvokeValue<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

/** IPC channel names used on the wire by Electron (prefixed so nothing else collides). */
export const ipcInvokeName = (c: InvokeChannel): string => `ktrdr:${c}`;
export const ipcEventName = (e: EventChannel): string => `ktrdr:event:${e}`;

export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(x);
}
