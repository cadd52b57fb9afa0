// The live state service: ONE snapshot of every instance (registry ∪ containers ∪ last gate), kept current by
// the Docker event stream and a watch on the registry directory — never by polling. Each burst of changes is
// debounced into one refresh, and each refresh makes exactly one engine request (listContainers). A container
// that dies (or is removed) is patched into the snapshot straight from its event, synchronously, before that
// refresh confirms it. While the engine is down it reconnects with exponential backoff (0.5 s → 10 s) by
// re-subscribing to the event stream.
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EngineState, Snapshot } from '../contract';
import type { EngineEvent } from '../core/deps';
import { composeFilePaths, defaultServices, readComposeModel } from '../core/compose-model';
import { instanceVariables } from '../core/envfile';
import { MANIFEST_FILE } from '../core/manifest';
import type { Manifest } from '../core/manifest-schema';
import { toErrorPayload } from '../core/errors';
import { ktrdrPreset } from '../core/preset';
import { instances as registryInstances } from '../core/registry';
import { loadInstance } from '../core/resolve';
import type { ContainerInfo, GateReport, InstanceRecord, RegistryData } from '../core/types';
import { findOrphans, groupByProject } from '../core/use-cases/list';
import { buildView, type InstanceView } from '../core/views';
import type { Deps } from '../core/deps';
import { countingDeps, engineCounter, type CountedDeps } from './engine-counter';
import type { StateService } from './types';

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
}

/**
 * Engine events that say nothing about a container's state (health-check execs fire every few seconds). `kill`
 * only says a signal was sent: if the container exits, its `die` follows (and is patched at once); a refresh on
 * `kill` itself would list containers that are still running, in the middle of the death it announces.
 */
const IGNORED_ACTIONS = new Set(['attach', 'detach', 'resize', 'top', 'export', 'commit', 'copy', 'archive-path', 'extract-to-dir', 'kill']);

export function isStateChangingEvent(e: Pick<EngineEvent, 'action'>): boolean {
  const action = e.action.split(':')[0]!.trim();
  if (action.startsWith('exec_')) return false;
  return !IGNORED_ACTIONS.has(action);
}

/** What identifies a file's content without reading it (an atomic rewrite changes the inode). '-' = absent. */
async function stamp(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return '-';
  }
}

/**
 * Everything an instance's view is derived from except its containers — the core's viewOf, split so that the
 * expensive part (reading the manifest, parsing the compose file(s), reading the last gate report) is done once
 * per change of those files rather than on every refresh, and a container event costs one pure buildView.
 */
interface ViewBasis {
  recKey: string;
  dirExists: boolean;
  manifestStamp: string;
  manifest: Manifest;
  vars: Record<string, string>;
  composeStamps: string;
  expected: number;
  gateStamp: string;
  lastGate: GateReport | null;
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
  const bases = new Map<string, ViewBasis>();
  /** Where the gate store keeps a report (only a change hint: the report itself is read through the store). */
  const gateFile = (id: string): string => join(counted.home, 'gates', `${id}.json`);
  /** Bumped by every event patch; a refresh whose listing predates the latest patch does not publish. */
  let patchGen = 0;
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
  let debounceTimer: NodeJS.Timeout | null = null;
  let burstStart: number | null = null;

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
    if (engineUp) {
      try {
        containers = await counted.engine.listContainers({ all: true });
      } catch (err) {
        if (engineUnavailable(err)) markDown(err);
        else problems.push(`Docker: ${describe(err)}`);
      }
    }
    // An event patched the snapshot while we listed (our listing may predate it): the refresh it scheduled
    // publishes instead, so the view never flips back.
    if (gen !== patchGen) return snapshot;
    if (reg) lastReg = reg;
    lastContainers = containers;
    const next = await assemble(reg, containers, problems);
    if (gen !== patchGen) return snapshot;
    return publish(next);
  }

  async function assemble(reg: RegistryData | null, containers: ContainerInfo[], problems: string[]): Promise<Partial<Snapshot>> {
    const byProject = groupByProject(containers);
    let views: InstanceView[];
    if (reg) {
      views = await Promise.all(
        registryInstances(reg).map((rec) =>
          viewFor(rec, byProject.get(rec.id) ?? []).catch((err: unknown) => {
            problems.push(`${rec.id}: ${describe(err)}`);
            return fallbackView(counted, rec, byProject.get(rec.id) ?? []);
          }),
        ),
      );
      for (const id of bases.keys()) if (!reg.instances[id]) bases.delete(id);
      lastGood = views;
    } else {
      // Never pretend the registry is empty because it could not be read: keep what we knew.
      views = lastGood;
    }
    const orphans = reg ? findOrphans(byProject, new Set(Object.keys(reg.instances))) : snapshot.orphans;
    return { instances: views, orphans, problems, repository: repository() };
  }

  async function viewFor(rec: InstanceRecord, containers: ContainerInfo[]): Promise<InstanceView> {
    return viewFromBasis(rec, await basisFor(rec), containers);
  }

  function viewFromBasis(rec: InstanceRecord, b: ViewBasis, containers: ContainerInfo[]): InstanceView {
    return buildView({ rec, manifest: b.manifest, vars: b.vars, containers, expectedServices: b.expected, dirExists: b.dirExists, lastGate: b.lastGate });
  }

  /**
   * The instance's view basis, re-derived only from what changed: a few stats per refresh, the manifest read
   * again when it (or the record, or the directory's existence) changed, the compose file(s) parsed again when
   * they changed, the gate report read again when its file changed. Same results as the core's viewOf.
   */
  async function basisFor(rec: InstanceRecord): Promise<ViewBasis> {
    const prev = bases.get(rec.id);
    const recKey = JSON.stringify(rec);
    const dirExists = existsSync(rec.path);
    const [manifestStamp, gateStamp] = await Promise.all([stamp(join(rec.path, MANIFEST_FILE)), stamp(gateFile(rec.id))]);
    const sameManifest = prev !== undefined && prev.recKey === recKey && prev.dirExists === dirExists && prev.manifestStamp === manifestStamp;
    let manifest: Manifest;
    let vars: Record<string, string>;
    if (sameManifest) ({ manifest, vars } = prev);
    else ({ manifest, vars } = await loadInstance(counted, rec));
    const composeFiles = dirExists ? composeFilePaths(rec.path, manifest.compose.files) : [];
    const composeStamps = JSON.stringify(await Promise.all(composeFiles.map(stamp)));
    let expected: number;
    if (sameManifest && prev.composeStamps === composeStamps) expected = prev.expected;
    else expected = dirExists ? await readComposeModel(rec.path, manifest.compose.files).then((m) => defaultServices(m).length, () => 0) : 0;
    // an absent file is read anyway (cheap): the stamp is only a hint, the store decides
    const lastGate = prev !== undefined && gateStamp !== '-' && prev.gateStamp === gateStamp ? prev.lastGate : await counted.gates.read(rec.id);
    const basis: ViewBasis = { recKey, dirExists, manifestStamp, manifest, vars, composeStamps, expected, gateStamp, lastGate };
    bases.set(rec.id, basis);
    return basis;
  }

  /**
   * Fast path: a container that died (or was removed) is known from the event itself, so the snapshot is
   * patched and pushed at once — synchronously, from what the last refresh derived — without waiting for the
   * engine to list containers; the debounced refresh confirms it.
   */
  function patchFromEvent(e: EngineEvent): void {
    if (!engineUp || !lastReg || !e.containerId) return;
    const action = e.action.split(':')[0]!.trim();
    if (action !== 'die' && action !== 'destroy') return;
    const i = lastContainers.findIndex((c) => c.id === e.containerId);
    if (i < 0) return;
    const cur = lastContainers[i]!;
    if (action === 'die' && cur.state !== 'running' && cur.state !== 'restarting') return;
    lastContainers =
      action === 'destroy'
        ? lastContainers.filter((_, j) => j !== i)
        : lastContainers.map((c, j) => (j === i ? { ...c, state: 'exited', status: 'Exited', health: 'none' } : c));
    const gen = ++patchGen;
    const reg = lastReg;
    const byProject = groupByProject(lastContainers);
    const rec = reg.instances[cur.project];
    const basis = rec ? bases.get(rec.id) : undefined;
    const at = rec ? snapshot.instances.findIndex((v) => v.id === rec.id) : -1;
    if (!rec || (basis && basis.recKey === JSON.stringify(rec) && at >= 0)) {
      const instances = rec && basis ? snapshot.instances.map((v, j) => (j === at ? viewFromBasis(rec, basis, byProject.get(rec.id) ?? []) : v)) : snapshot.instances;
      if (rec && basis) lastGood = instances;
      publish({ instances, orphans: findOrphans(byProject, new Set(Object.keys(reg.instances))) });
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
    const now = Date.now();
    burstStart ??= now;
    if (debounceTimer) clearTimeout(debounceTimer);
    const wait = Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now));
    debounceTimer = setTimeout(() => {
      debounceTimer = null;
      burstStart = null;
      void refresh().catch(() => undefined);
    }, wait);
  }

  function onEngineEvent(e: EngineEvent): void {
    if (!isStateChangingEvent(e)) return;
    patchFromEvent(e);
    scheduleRefresh();
  }

  function watchDir(dir: string, accept: (file: string | null) => boolean): void {
    try {
      mkdirSync(dir, { recursive: true });
      const w = watch(dir, { persistent: false }, (_ev, file) => {
        if (accept(file === null ? null : String(file))) scheduleRefresh();
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // An unwatchable directory only costs liveness for CLI-made changes; the engine stream still works.
    }
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
        watchDir(regDir, (f) => f === null || f === regName);
        watchDir(join(counted.home, 'gates'), (f) => f === null || f.endsWith('.json'));
      }
      await connect();
      if (running) await running;
    },
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (debounceTimer) clearTimeout(debounceTimer);
      reconnectTimer = debounceTimer = null;
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

/** A view for an instance whose manifest or compose file cannot be read: the preset's shape, flagged by a problem. */
function fallbackView(deps: Deps, rec: InstanceRecord, containers: ContainerInfo[]): InstanceView {
  return buildView({
    rec,
    manifest: ktrdrPreset,
    vars: instanceVariables(rec, ktrdrPreset, deps.sharedHome),
    containers,
    expectedServices: containers.length,
    dirExists: existsSync(rec.path),
    lastGate: null,
  });
}
