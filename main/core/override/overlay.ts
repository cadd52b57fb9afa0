// Shared data with a per-instance writable overlay (issue 14, item 4; manifest `shared.overlay`). Every instance
// bind-mounts the same shared folders (~/.ktrdr/shared/{data,models,strategies}); with the overlay, each service's
// bind of such a folder is re-declared (compose merges a service's volumes by container target) as a named volume
// of the instance that Docker's `local` driver mounts as an overlay: the shared folder is the read-only lower
// layer, the instance's writes go to its own upper directory under the sandbox home. The shared folder on the host
// never changes. Pure: the plan of the mounts and the override's share; the probe, the reset and the status are
// in use-cases/shared-overlay.ts.
import { join } from 'node:path';
import { SandboxError } from '../errors';
import { LABEL_ROLE } from '../labels';
import type { Manifest } from '../manifest-schema';
import { splitVolumeSpec } from '../compose-syntax';
import { bindOf, interpolate, resolvePath } from '../path-map';
import { ownershipLabels } from './labels';
import type { Contribution, Json, OverlayInput, OverlayMount, OverrideDoc } from './types';

export type { OverlayInput, OverlayMount } from './types';

/** Role label of the overlay volumes (beside the ownership labels). */
export const OVERLAY_ROLE = 'shared-overlay';

/** <home>/instances/<id>/overlay: removed with the instance's generated state (destroy, prune). */
export function overlayRoot(home: string, id: string): string {
  return join(home, 'instances', id, 'overlay');
}

/** An instance's own choice (registry `sharedOverlay`): true = every mount, a list = those, false = none. */
export type OverlayChoice = boolean | string[];

/** The folders of shared.mounts a choice names; unknown ones are refused (`what` says where the choice came from). */
export function chosenFolders(manifest: Manifest, want: OverlayChoice | undefined, what = 'shared.overlay'): string[] {
  const mounts = Object.keys(manifest.shared.mounts);
  if (!want) return [];
  if (want === true) return mounts;
  const unknown = want.filter((f) => !mounts.includes(f));
  if (unknown.length) {
    const all = what === 'shared.overlay' ? 'or shared.overlay: true for all' : 'or no folder for all of them';
    throw new SandboxError('USAGE', `${what} names ${unknown.map((f) => `"${f}"`).join(', ')}, not in shared.mounts`, {
      hint: `Use the shared sub-folders of shared.mounts (${mounts.join(', ') || 'none'}), ${all}.`,
    });
  }
  return [...new Set(want)];
}

/**
 * The shared folders overlaid for an instance: its own choice (registry `sharedOverlay`) when it made one, else
 * the manifest's `shared.overlay` (`true` = every mount, a list = those).
 */
export function overlayFolders(manifest: Manifest, choice?: OverlayChoice): string[] {
  if (choice !== undefined) return chosenFolders(manifest, choice, "the instance's shared overlay");
  return chosenFolders(manifest, manifest.shared.overlay);
}

/** Where the manifest's or the instance's choice comes from (status, the refusal on a remote engine). */
export function overlaySource(choice: OverlayChoice | undefined): 'instance' | 'manifest' {
  return choice === undefined ? 'manifest' : 'instance';
}

export function overlayVolumeKey(folder: string): string {
  return `ktrdr-overlay-${folder.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}`;
}

/** The overlay mount of one shared folder of an instance (its paths, whether or not it is overlaid now). */
export function overlayMountOf(
  home: string,
  id: string,
  manifest: Manifest,
  vars: Record<string, string | undefined>,
  folder: string,
): OverlayMount {
  const env = manifest.shared.mounts[folder]!;
  const lower = vars[env];
  if (!lower) throw new SandboxError('STATE', `shared.overlay: ${env} (shared folder "${folder}") has no value`);
  const dir = join(overlayRoot(home, id), overlayVolumeKey(folder).slice('ktrdr-overlay-'.length));
  return { folder, env, lower, upper: join(dir, 'upper'), work: join(dir, 'work'), volume: overlayVolumeKey(folder) };
}

/**
 * The overlay mounts of one instance (empty when neither its choice nor the manifest asks for one). Paths the
 * mount options cannot carry are refused.
 */
export function overlayMounts(
  home: string,
  id: string,
  manifest: Manifest,
  vars: Record<string, string | undefined>,
  choice?: OverlayChoice,
): OverlayMount[] {
  return overlayFolders(manifest, choice).map((folder) => {
    const m = overlayMountOf(home, id, manifest, vars, folder);
    for (const p of [m.lower, m.upper, m.work])
      if (/[,:]/.test(p))
        throw new SandboxError('USAGE', `shared.overlay: the path ${p} holds "," or ":", which an overlay mount cannot take`, {
          hint: 'Move the shared folder (KTRDR_SHARED_DIR) or the sandbox home (KTRDR_SANDBOX_HOME) to a path without them.',
        });
    return m;
  });
}

/** The `local` driver's options mounting one overlay. */
export function overlayDriverOpts(m: OverlayMount): Record<string, string> {
  return { type: 'overlay', device: 'overlay', o: `lowerdir=${m.lower},upperdir=${m.upper},workdir=${m.work}` };
}

/** Per service, the container targets whose bind source is one of the overlaid folders → that mount. */
export function overlaidBinds(
  services: Record<string, { name: string; volumes?: Array<string | Record<string, unknown>> }>,
  ov: OverlayInput,
): Record<string, { target: string; mount: OverlayMount; entry: string | Record<string, unknown> }[]> {
  const byLower = new Map(ov.mounts.map((m) => [resolvePath(m.lower, '/'), m]));
  const out: Record<string, { target: string; mount: OverlayMount; entry: string | Record<string, unknown> }[]> = {};
  for (const svc of Object.values(services)) {
    const byTarget = new Map<string, { target: string; mount: OverlayMount; entry: string | Record<string, unknown> }>();
    for (const v of svc.volumes ?? []) {
      const b = bindOf(v);
      const target = b ? interpolate(b.target, ov.vars) : typeof v === 'string' ? (splitVolumeSpec(v)[1] ?? v) : String(v.target ?? '');
      if (!b) {
        byTarget.delete(target); // a later file's named volume at that target replaces the bind
        continue;
      }
      const raw = interpolate(b.source, ov.vars);
      const home = ov.vars.HOME;
      const source = resolvePath(raw.startsWith('~') && home ? `${home}${raw.slice(1)}` : raw, ov.projectDir);
      const mount = byLower.get(source);
      if (!mount) {
        byTarget.delete(target);
        continue;
      }
      // nocopy: a bind never receives the image's files at its target; neither does the overlay (into its upper layer)
      const mode = b.rest.length ? `${b.rest.join(':')},nocopy` : 'nocopy';
      const entry: string | Record<string, unknown> =
        typeof v === 'string'
          ? [mount.volume, target, mode].join(':')
          : { ...v, type: 'volume', source: mount.volume, target, volume: { nocopy: true } };
      if (typeof entry !== 'string') delete entry.bind;
      byTarget.set(target, { target, mount, entry });
    }
    if (byTarget.size) out[svc.name] = [...byTarget.values()];
  }
  return out;
}

export const overlayContribution: Contribution = {
  name: 'shared-overlay',
  build({ id, owner, model, overlay }) {
    if (!overlay?.mounts.length) return {};
    const doc: Partial<OverrideDoc> = { services: {}, volumes: {} };
    const labels = { ...ownershipLabels(id, owner), [LABEL_ROLE]: OVERLAY_ROLE };
    const used = new Set<OverlayMount>();
    for (const [svc, binds] of Object.entries(overlaidBinds(model.services, overlay))) {
      doc.services![svc] = { volumes: binds.map((b) => b.entry as Json) };
      for (const b of binds) used.add(b.mount);
    }
    // only the volumes a service mounts (compose v1 creates every volume a file declares)
    for (const m of used) doc.volumes![m.volume] = { driver: 'local', driver_opts: overlayDriverOpts(m), labels };
    return doc;
  },
};
