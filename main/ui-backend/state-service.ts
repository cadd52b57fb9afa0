// The live state service: ONE snapshot of every instance (registry ∪ containers ∪ last gate), kept current by
// the Docker event stream and a watch on the registry directory — never by polling the default engine. Each burst
// of changes is debounced into one refresh, and each refresh makes exactly one request to the default engine
// (listContainers). Instances on other engines (issue 13): their engines are listed with each refresh (one
// listing per engine, concurrently, ≤ 2 s each; one that does not answer marks its instances "engine
// unreachable"), and their event streams are followed too (remote-events.ts: one per engine, over its ssh
// connection, reconnected with backoff); only while one of those streams is down are its engines listed again
// every few seconds — a change there triggers a refresh. A container that dies (or is
// removed) is patched into the snapshot straight from its event, synchronously, before that refresh confirms
// it. While the engine is down it reconnects with exponential backoff (0.5 s → 10 s) by re-subscribing to the
// event stream.
// Views are derived in state-views.ts; events, debounce and directory watches are read in state-triggers.ts.
import type { FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EngineState, Snapshot } from '../shared/contract';
import type { Deps, EngineEvent } from '../core/deps';
import { toErrorPayload } from '../core/errors';
import { instances as registryInstances } from '../core/registry';
import type { ContainerInfo, RegistryData } from '../shared/types';
import { findOrphans, groupByProject } from '../core/use-cases/list';
import { listOtherEngines, type RemoteListing } from '../core/use-cases/list-engines';
import { existingOwnerId } from '../core/owner';
import type { InstanceView } from '../core/views';
import { countingDeps, engineCounter, type CountedDeps } from './engine-counter';
import { createRemoteStreams } from './remote-events';
import { createRemotePoll } from './remote-poll';
import { createViewCache, fallbackView } from './state-views';
import {
  containersAfterEvent,
  createDebouncer,
  DEATH_WINDOW_MS,
  isStateChangingEvent,
  trustRecentDeaths,
  watchDir,
} from './state-triggers';
import type { StateService } from './types';

export { isStateChangingEvent } from './state-triggers';

export interface StateServiceOptions {
  /** The repository `create` works from: a fixed path, or a function read at every refresh (settings). */
  repository?: string | null | (() => string | null);
  /** Quiet time before a burst of changes becomes one refresh (default 60 ms). */
  debounceMs?: number;
  /** Upper bound on how long a continuous burst may delay a refresh (default 250 ms). */
  maxWaitMs?: number;
  /** Reconnect backoff while the engine is down (default 500 ms doubling to 10 s). */
  backoffMs?: { initial: number; max: number };
  /** Watch the registry and gate directories (default true). */
  watchFiles?: boolean;
  /**
   * While instances run on other engines (issue 13) and the event stream of one of them is down (not yet
   * subscribed, or lost): how often those engines are listed again (default 5 s). A remote listing that differs
   * from the last one triggers a refresh, so the default engine is asked nothing while nothing changes.
   */
  remotePollMs?: number;
  /** Records engine connects and losses (the surfaces' rotating log). */
  log?: { info(message: string): void };
}

function engineUnavailable(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ENGINE_UNAVAILABLE';
}

function describe(err: unknown): string {
  const p = toErrorPayload(err);
  return p.hint ? `${p.message} (${p.hint})` : p.message;
}

export type LiveStateService = StateService & { readonly deps: CountedDeps };

export function createStateService(deps: Deps, opts: StateServiceOptions = {}): LiveStateService {
  const counted = countingDeps(deps);
  const counter = engineCounter(counted)!;
  const debounceMs = opts.debounceMs ?? 60;
  const maxWaitMs = opts.maxWaitMs ?? 250;
  const backoff = opts.backoffMs ?? { initial: 500, max: 10_000 };
  const endpointName = (deps as Deps & { endpoint?: { display?: string } }).endpoint?.display ?? 'docker';
  const repository = (): string | null => (typeof opts.repository === 'function' ? opts.repository() : (opts.repository ?? null));

  const listeners = new Set<(s: Snapshot) => void>();
  let engine: EngineState = { state: 'connecting', endpoint: endpointName };
  let engineUp = false;
  let busy: Record<string, string> = {};
  let lastGood: InstanceView[] = [];
  let lastReg: RegistryData | null = null;
  let lastContainers: ContainerInfo[] = [];
  /** What the other engines said at the last refresh (null: every instance runs on the default engine). */
  let lastRemote: RemoteListing | null = null;
  const views = createViewCache(counted, { onSample: () => scheduleRefresh() });
  /** Bumped by every event patch; a refresh whose listing predates the latest patch does not publish. */
  let patchGen = 0;
  /** Containers whose `die` event came in the last seconds (state-triggers.ts trustRecentDeaths). */
  const recentDeaths = new Map<string, number>();
  let recheck: NodeJS.Timeout | null = null;
  let snapshot: Snapshot = {
    engine,
    instances: [],
    orphans: [],
    busy,
    repository: repository(),
    problems: [],
    updatedAt: Date.now(),
  };

  let started = false;
  let stopped = false;
  let unsubscribeEvents: (() => void) | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let nextBackoff = backoff.initial;
  let connecting = false;
  const watchers: FSWatcher[] = [];
  const debounce = createDebouncer(() => void refresh().catch(() => undefined), debounceMs, maxWaitMs);
  // the other engines' event streams: a stream that comes up or goes down is worth a refresh (missed events; the
  // listing marks an engine that stopped answering), and while one is down its engines are polled
  const remoteStreams = createRemoteStreams({
    connect: (rec) => deps.remotes.connect(rec),
    onEvent: (e) => onEngineEvent(e),
    onChange: () => scheduleRefresh(),
    backoffMs: backoff,
    log: opts.log,
  });
  const remotePoll = createRemotePoll({
    intervalMs: opts.remotePollMs ?? 5000,
    last: () => lastRemote,
    list: () => (lastReg ? listOtherEngines(counted, lastReg) : null),
    streamsUp: () => remoteStreams.allUp(),
    onChange: () => scheduleRefresh(),
  });

  function publish(next: Partial<Snapshot>): Snapshot {
    snapshot = { ...snapshot, ...next, engine, busy, updatedAt: Date.now() };
    for (const l of [...listeners]) {
      try {
        l(snapshot);
      } catch {
        // a listener's failure must not stop the others
      }
    }
    return snapshot;
  }

  // ---- refresh: registry + ONE listContainers + gate files → snapshot ------------------------------------
  let running: Promise<Snapshot> | null = null;
  let queued: Promise<Snapshot> | null = null;

  function refresh(): Promise<Snapshot> {
    if (stopped) return Promise.resolve(snapshot);
    if (!running) {
      running = build().finally(() => {
        running = null;
      });
      return running;
    }
    // A refresh is under way: coalesce every further request into one more run after it.
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return refresh();
      });
    return queued;
  }

  async function build(): Promise<Snapshot> {
    const gen = patchGen;
    const problems: string[] = [];
    let reg: RegistryData | null = null;
    try {
      reg = await counted.registry.read();
    } catch (err) {
      problems.push(describe(err));
    }
    let containers: ContainerInfo[] = [];
    // the other engines instances run on: listed beside the default one (≤ 2 s each), whether or not it is up
    const remote = reg ? listOtherEngines(counted, reg) : null;
    remote?.catch(() => undefined);
    if (reg) remoteStreams.follow(registryInstances(reg)); // their event streams (a new engine: subscribed now)
    if (engineUp) {
      try {
        containers = await counted.engine.listContainers({ all: true });
      } catch (err) {
        if (engineUnavailable(err)) markDown(err);
        else problems.push(`Docker: ${describe(err)}`);
      }
    }
    if (remote) {
      try {
        lastRemote = await remote;
        containers = [...containers, ...lastRemote.containers];
      } catch (err) {
        problems.push(`Engines: ${describe(err)}`);
      }
    } else if (reg) lastRemote = null;
    remotePoll.schedule();
    // An event patched the snapshot while we listed (our listing may predate it): the refresh it scheduled
    // publishes instead, so the view never flips back.
    if (gen !== patchGen) return snapshot;
    // A listing made just after a `die` event can still say "running": the event wins, and we list again later.
    const trusted = trustRecentDeaths(containers, recentDeaths, Date.now());
    containers = trusted.containers;
    if (trusted.stale && !recheck) {
      recheck = setTimeout(() => {
        recheck = null;
        scheduleRefresh();
      }, DEATH_WINDOW_MS + 100);
      recheck.unref?.();
    }
    if (reg) lastReg = reg;
    lastContainers = containers;
    const next = await assemble(reg, containers, problems);
    if (gen !== patchGen) return snapshot;
    return publish(next);
  }

  async function assemble(reg: RegistryData | null, containers: ContainerInfo[], problems: string[]): Promise<Partial<Snapshot>> {
    const byProject = groupByProject(containers);
    let list: InstanceView[];
    if (reg) {
      // a create under way (state "creating") is not an instance yet
      list = await Promise.all(
        registryInstances(reg)
          .filter((rec) => rec.state !== 'creating')
          .map((rec) =>
            views
              .viewFor(rec, byProject.get(rec.id) ?? [])
              .catch((err: unknown) => {
                problems.push(`${rec.id}: ${describe(err)}`);
                return fallbackView(counted, rec, byProject.get(rec.id) ?? []);
              })
              .then((v) => withEngineStatus(v)),
          ),
      );
      views.prune(reg);
      lastGood = list;
    } else {
      // Never pretend the registry is empty because it could not be read: keep what we knew.
      list = lastGood;
    }
    const orphans = reg ? findOrphans(byProject, new Set(Object.keys(reg.instances)), existingOwnerId(deps)) : snapshot.orphans;
    return { instances: list, orphans, problems, repository: repository() };
  }

  /** An instance on another engine carries that engine's name and whether it answered ("engine unreachable"). */
  function withEngineStatus(v: InstanceView): InstanceView {
    const st = lastRemote?.status.get(v.id);
    return st ? { ...v, engineStatus: st } : v;
  }

  /**
   * Fast path: a container that died (or was removed) is known from the event itself, so the snapshot is
   * patched and pushed at once — synchronously, from what the last refresh derived — without waiting for the
   * engine to list containers; the debounced refresh confirms it.
   */
  function patchFromEvent(e: EngineEvent): void {
    if (!engineUp || !lastReg) return;
    const patched = containersAfterEvent(lastContainers, e);
    if (!patched) return;
    const cur = patched.container;
    lastContainers = patched.containers;
    const gen = ++patchGen;
    const reg = lastReg;
    const byProject = groupByProject(lastContainers);
    const rec = reg.instances[cur.project];
    const basis = rec ? views.basis(rec.id) : undefined;
    const at = rec ? snapshot.instances.findIndex((v) => v.id === rec.id) : -1;
    if (!rec || (basis && basis.recKey === JSON.stringify(rec) && at >= 0)) {
      const instances =
        rec && basis
          ? snapshot.instances.map((v, j) => (j === at ? views.fromBasis(rec, basis, byProject.get(rec.id) ?? []) : v))
          : snapshot.instances;
      if (rec && basis) lastGood = instances;
      publish({ instances, orphans: findOrphans(byProject, new Set(Object.keys(reg.instances)), existingOwnerId(deps)) });
      return;
    }
    // nothing derived for this instance yet: assemble it (asynchronously)
    void assemble(reg, lastContainers, [...snapshot.problems]).then((next) => {
      if (gen === patchGen && !stopped) publish(next);
    });
  }

  // ---- change detection -----------------------------------------------------------------------------------
  function scheduleRefresh(): void {
    if (stopped) return;
    debounce.schedule();
  }

  function onEngineEvent(e: EngineEvent): void {
    if (!isStateChangingEvent(e)) return;
    const action = e.action.split(':')[0]!.trim();
    if (e.containerId && action === 'die') recentDeaths.set(e.containerId, Date.now());
    else if (e.containerId && (action === 'start' || action === 'restart' || action === 'unpause')) recentDeaths.delete(e.containerId);
    patchFromEvent(e);
    scheduleRefresh();
  }

  function watchForChanges(dir: string, accept: (file: string | null) => boolean): void {
    const w = watchDir(dir, accept, scheduleRefresh);
    if (w) watchers.push(w);
  }

  // ---- engine connection with backoff ---------------------------------------------------------------------
  function markDown(err: unknown): void {
    engineUp = false;
    unsubscribeEvents?.();
    unsubscribeEvents = null;
    if (stopped) return;
    const delay = nextBackoff;
    nextBackoff = Math.min(nextBackoff * 2, backoff.max);
    const endpoint = (err as { endpoint?: string } | null)?.endpoint ?? engine.endpoint;
    if (engine.state !== 'down')
      opts.log?.info(`engine ${endpoint} unavailable, retrying in ${delay}ms: ${(err as Error)?.message ?? String(err)}`);
    engine = { state: 'down', endpoint, message: (err as Error)?.message ?? String(err), retryInMs: delay };
    if (!reconnectTimer) {
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        void connect();
      }, delay);
    }
    publish({});
  }

  async function connect(): Promise<void> {
    if (stopped || connecting || engineUp) return;
    connecting = true;
    try {
      const info = await counted.engine.ping();
      const unsubscribe = await counted.engine.events(onEngineEvent, (err) => {
        if (unsubscribeEvents === unsubscribe) markDown(err);
      });
      if (stopped) {
        unsubscribe();
        return;
      }
      unsubscribeEvents = unsubscribe;
      engineUp = true;
      nextBackoff = backoff.initial;
      engine = { state: 'up', endpoint: info.endpoint, version: info.version };
      opts.log?.info(`engine ${info.endpoint} connected (Docker ${info.version})`);
    } catch (err) {
      connecting = false;
      markDown(err);
      void refresh().catch(() => undefined); // the registry side still shows
      return;
    }
    connecting = false;
    await refresh();
  }

  return {
    deps: counted,
    async start() {
      if (started) return;
      started = true;
      if (opts.watchFiles !== false) {
        const regDir = dirname(counted.registry.file);
        const regName = basename(counted.registry.file);
        watchForChanges(regDir, (f) => f === null || f === regName);
        watchForChanges(join(counted.home, 'gates'), (f) => f === null || f.endsWith('.json'));
        watchForChanges(join(counted.home, 'sync'), (f) => f === null || f.endsWith('.json')); // remote source sync watchers
      }
      await connect();
      if (running) await running;
    },
    async stop() {
      stopped = true;
      views.stop();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (recheck) clearTimeout(recheck);
      remotePoll.stop();
      remoteStreams.stop();
      debounce.cancel();
      reconnectTimer = null;
      unsubscribeEvents?.();
      unsubscribeEvents = null;
      for (const w of watchers.splice(0)) w.close();
      listeners.clear();
    },
    current: () => snapshot,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setBusy(id, operation) {
      const next = { ...busy };
      if (operation) next[id] = operation;
      else delete next[id];
      busy = next;
      publish({});
    },
    refresh,
    engineRequests: () => counter.count(),
  };
}
