// How the live state derives an instance's view (see state-service.ts): a per-instance basis — manifest,
// expected services, last gate — re-read only when its files change, then the core's pure buildView over it
// and the instance's containers. Same results as the core's viewOf, at a few stats per refresh.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { composeFilePaths, defaultServices, readComposeModel, type ComposeModel } from '../core/compose-model';
import type { Deps } from '../core/deps';
import { instanceVariables } from '../core/envfile';
import { MANIFEST_FILE } from '../core/manifest';
import type { Manifest } from '../core/manifest-schema';
import { ktrdrPreset } from '../core/preset';
import { loadInstance } from '../core/resolve';
import type { ContainerInfo, GateReport, InstanceRecord, RegistryData } from '../shared/types';
import { composeMemoryLimits, estimateStackMemory, type LastSeenStats } from '../core/capacity';
import { buildView, type InstanceView } from '../core/views';
import type { MemoryMeter } from '../shared/views';
import { createEngineSampler } from './engine-sampler';

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
export interface ViewBasis {
  recKey: string;
  dirExists: boolean;
  manifestStamp: string;
  manifest: Manifest;
  vars: Record<string, string>;
  composeStamps: string;
  expected: number;
  /** The parsed compose model (null: unreadable): links of absent services hidden, unused ports marked. */
  model?: ComposeModel | null;
  gateStamp: string;
  lastGate: GateReport | null;
  /** What the memory bar is full at (compose limits, else the estimate); null: not known. */
  memoryOf?: Pick<MemoryMeter, 'ofBytes' | 'of'> | null;
  statsStamp?: string;
  lastSeen?: LastSeenStats | null;
}

export interface ViewCache {
  /** The instance's view, its basis re-derived from what changed. */
  viewFor(rec: InstanceRecord, containers: ContainerInfo[]): Promise<InstanceView>;
  /** What was last derived for an instance (undefined: nothing yet). */
  basis(id: string): ViewBasis | undefined;
  /** The view from a known basis: pure and synchronous. */
  fromBasis(rec: InstanceRecord, b: ViewBasis, containers: ContainerInfo[]): InstanceView;
  /** Forget the instances the registry no longer holds (and measure the engines of the others: engine-sampler.ts). */
  prune(reg: RegistryData): void;
  stop(): void;
}

/** The memory bar's scale: the compose limits when every started service has one, else the capacity estimate. */
export function memoryScale(docs: unknown[], vars: Record<string, string>, now: number): Pick<MemoryMeter, 'ofBytes' | 'of'> | null {
  const e = estimateStackMemory({ services: composeMemoryLimits(docs, vars), now });
  if (!e.bytes) return null;
  return { ofBytes: e.bytes, of: e.services?.every((x) => x.from === 'limit') ? 'limit' : 'estimate' };
}

export function createViewCache(deps: Deps, opts: { onSample?: () => void } = {}): ViewCache {
  const bases = new Map<string, ViewBasis>();
  const sampler = createEngineSampler(deps, opts);
  /** Instances last seen with running containers: the sampler measures those (and every one on a named engine). */
  const active = new Set<string>();
  const statsFile = (id: string): string => join(deps.home, 'stats', `${id}.json`);
  /** Where the gate store keeps a report (only a change hint: the report itself is read through the store). */
  const gateFile = (id: string): string => join(deps.home, 'gates', `${id}.json`);

  async function viewFor(rec: InstanceRecord, containers: ContainerInfo[]): Promise<InstanceView> {
    return viewFromBasis(rec, await basisFor(rec), containers);
  }

  function viewFromBasis(rec: InstanceRecord, b: ViewBasis, containers: ContainerInfo[]): InstanceView {
    const v = buildView({
      rec,
      manifest: b.manifest,
      vars: b.vars,
      containers,
      expectedServices: b.expected,
      dirExists: b.dirExists,
      lastGate: b.lastGate,
      model: b.model,
    });
    return withEngineAndMemory(rec, b, v);
  }

  function withEngineAndMemory(rec: InstanceRecord, b: ViewBasis, v: InstanceView): InstanceView {
    const running = v.status === 'running' || v.status === 'partial';
    if (running) active.add(rec.id);
    else active.delete(rec.id);
    const engine = rec.engine?.context;
    if (engine && engine !== 'default') {
      v.engineName = engine;
      const st = sampler.engine(engine);
      if (st) v.engineStatus = { name: engine, ...st };
      // its source sync (the watcher's state file, a few hundred bytes; none for an NFS path map)
      const sync = rec.engine?.source?.mode === 'path-map' ? null : deps.remotes.sync.read(rec.id);
      if (sync) v.sync = sync;
    }
    const fit = running ? undefined : sampler.fit(rec.id);
    if (fit) v.fit = fit;
    const seen = running ? (b.lastSeen ?? null) : null;
    if (b.memoryOf || seen)
      v.memory = {
        usedBytes: seen?.memoryBytes ?? null,
        measuredAt: seen?.at ?? null,
        ofBytes: b.memoryOf?.ofBytes ?? seen!.memoryBytes,
        of: b.memoryOf?.of ?? 'estimate',
        ...(seen?.cpuPercent !== undefined ? { cpuPercent: seen.cpuPercent } : {}),
      };
    return v;
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
    const [manifestStamp, gateStamp, statsStamp] = await Promise.all([
      stamp(join(rec.path, MANIFEST_FILE)),
      stamp(gateFile(rec.id)),
      stamp(statsFile(rec.id)),
    ]);
    const sameManifest =
      prev !== undefined && prev.recKey === recKey && prev.dirExists === dirExists && prev.manifestStamp === manifestStamp;
    let manifest: Manifest;
    let vars: Record<string, string>;
    if (sameManifest) ({ manifest, vars } = prev);
    else ({ manifest, vars } = await loadInstance(deps, rec));
    const composeFiles = dirExists ? composeFilePaths(rec.path, manifest.compose.files) : [];
    const composeStamps = JSON.stringify(await Promise.all(composeFiles.map(stamp)));
    let expected: number;
    let model: ComposeModel | null;
    let memoryOf: ViewBasis['memoryOf'];
    if (sameManifest && prev.composeStamps === composeStamps) ({ expected, model = null, memoryOf = null } = prev);
    else {
      model = dirExists ? await readComposeModel(rec.path, manifest.compose.files, undefined, deps.files).catch(() => null) : null;
      expected = model ? defaultServices(model).length : 0;
      const docs = dirExists ? await deps.engines.composeDocs(composeFiles).catch(() => null) : null;
      memoryOf = docs ? memoryScale(docs, vars, deps.clock.now()) : null;
    }
    const lastSeen =
      prev !== undefined && prev.statsStamp === statsStamp
        ? (prev.lastSeen ?? null)
        : statsStamp !== '-'
          ? deps.engines.lastSeen(rec.id)
          : null;
    // an absent file is read anyway (cheap): the stamp is only a hint, the store decides
    const lastGate =
      prev !== undefined && gateStamp !== '-' && prev.gateStamp === gateStamp ? prev.lastGate : await deps.gates.read(rec.id);
    const basis: ViewBasis = {
      recKey,
      dirExists,
      manifestStamp,
      manifest,
      vars,
      composeStamps,
      expected,
      model,
      gateStamp,
      lastGate,
      memoryOf,
      statsStamp,
      lastSeen,
    };
    bases.set(rec.id, basis);
    return basis;
  }

  return {
    viewFor,
    basis: (id) => bases.get(id),
    fromBasis: viewFromBasis,
    prune(reg) {
      for (const id of bases.keys()) if (!reg.instances[id]) bases.delete(id);
      for (const id of active) if (!reg.instances[id]) active.delete(id);
      sampler.kick(Object.values(reg.instances), active); // running: memory and CPU · stopped: the fit
    },
    stop: () => sampler.stop(),
  };
}

/** A view for an instance whose manifest or compose file cannot be read: the preset's shape, flagged by a problem. */
export function fallbackView(deps: Deps, rec: InstanceRecord, containers: ContainerInfo[]): InstanceView {
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
