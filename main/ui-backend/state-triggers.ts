// What makes the live state change (see state-service.ts): the engine events that can change a container's
// state (and what a death or removal does to the list), directory watches, and the debounce into one refresh.
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { EngineEvent } from '../core/deps';
import type { ContainerInfo } from '../shared/types';

/**
 * Engine events that say nothing about a container's state (health-check execs fire every few seconds). `kill`
 * only says a signal was sent: if the container exits, its `die` follows (and is patched at once); a refresh on
 * `kill` itself would list containers that are still running, in the middle of the death it announces.
 */
const IGNORED_ACTIONS = new Set([
  'attach',
  'detach',
  'resize',
  'top',
  'export',
  'commit',
  'copy',
  'archive-path',
  'extract-to-dir',
  'kill',
]);

export function isStateChangingEvent(e: Pick<EngineEvent, 'action'>): boolean {
  const action = e.action.split(':')[0]!.trim();
  if (action.startsWith('exec_')) return false;
  return !IGNORED_ACTIONS.has(action);
}

/**
 * The containers after an event that says one of them died or was removed, and that container — known from the
 * event alone, before any listing. Null when the event changes nothing there (another action, a container not
 * in the list, the death of a container already stopped).
 */
export function containersAfterEvent(
  containers: ContainerInfo[],
  e: EngineEvent,
): { containers: ContainerInfo[]; container: ContainerInfo } | null {
  if (!e.containerId) return null;
  const action = e.action.split(':')[0]!.trim();
  if (action !== 'die' && action !== 'destroy') return null;
  const i = containers.findIndex((c) => c.id === e.containerId);
  if (i < 0) return null;
  const cur = containers[i]!;
  if (action === 'die' && cur.state !== 'running' && cur.state !== 'restarting') return null;
  return {
    container: cur,
    containers:
      action === 'destroy'
        ? containers.filter((_, j) => j !== i)
        : containers.map((c, j) => (j === i ? { ...c, state: 'exited', status: 'Exited', health: 'none' } : c)),
  };
}

export interface Debouncer {
  /** Run after debounceMs of quiet, but no later than maxWaitMs after the first call of the burst. */
  schedule(): void;
  cancel(): void;
}

export function createDebouncer(run: () => void, debounceMs: number, maxWaitMs: number): Debouncer {
  let debounceTimer: NodeJS.Timeout | null = null;
  let burstStart: number | null = null;
  return {
    schedule() {
      const now = Date.now();
      burstStart ??= now;
      if (debounceTimer) clearTimeout(debounceTimer);
      const wait = Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now));
      debounceTimer = setTimeout(() => {
        debounceTimer = null;
        burstStart = null;
        run();
      }, wait);
    },
    cancel() {
      if (debounceTimer) clearTimeout(debounceTimer);
      debounceTimer = null;
    },
  };
}

/** Watch dir (created if needed); onChange for every change accept() takes. Null when it cannot be watched. */
export function watchDir(dir: string, accept: (file: string | null) => boolean, onChange: () => void): FSWatcher | null {
  try {
    mkdirSync(dir, { recursive: true });
    const w = watch(dir, { persistent: false }, (_ev, file) => {
      if (accept(file === null ? null : String(file))) onChange();
    });
    w.on('error', () => w.close());
    return w;
  } catch {
    // An unwatchable directory only costs liveness for CLI-made changes; the engine stream still works.
    return null;
  }
}

/** How long a `die` event outranks a listing that still says "running" (Docker updates its listing view shortly after the event). */
export const DEATH_WINDOW_MS = 2_000;

/**
 * Docker emits `die` before the container listing reflects it: a listing made right after the event can still say
 * "running", and publishing it would flip the view back for a moment. Containers with a `die` event in the last
 * DEATH_WINDOW_MS (and no start since) are taken as exited; `stale` says whether the listing was contradicted,
 * so the caller lists once more after the window.
 */
export function trustRecentDeaths(
  containers: ContainerInfo[],
  deaths: Map<string, number>,
  now: number,
): { containers: ContainerInfo[]; stale: boolean } {
  let stale = false;
  const out = containers.map((c) => {
    const at = deaths.get(c.id);
    if (at === undefined || now - at > DEATH_WINDOW_MS || c.state !== 'running') return c;
    stale = true;
    return { ...c, state: 'exited' as const, status: 'Exited', health: 'none' as const };
  });
  for (const [id, at] of deaths) if (now - at > DEATH_WINDOW_MS) deaths.delete(id);
  return { containers: out, stale };
}
