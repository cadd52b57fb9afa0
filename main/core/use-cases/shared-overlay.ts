// Shared data seen through a per-instance writable overlay (manifest `shared.overlay`; the override's share is
// override/overlay.ts): the check `up` runs before any change (a local engine that can mount an overlay of our
// paths), what `status` says about it (which folders, which services, how much the instance wrote), and
// `shared reset`: the instance's writes dropped (the services mounting the overlay stopped, the upper layer emptied,
// the services started again).
import { dirname, join } from 'node:path';
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { depsFor, modelOrNull, resolveContext, type InstanceContext } from '../instance-context';
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_ROLE } from '../labels';
import { ownerId } from '../owner';
import {
  OVERLAY_ROLE,
  overlaidBinds,
  overlayFolders,
  overlayMountOf,
  overlayMounts,
  overlayRoot,
  overlaySource,
  type OverlayMount,
} from '../override/overlay';
import type { InstanceRef } from '../resolve';
import type { SharedFolderState, SharedOverlayStatus, SharedResetResult } from '../../shared/results';
import type { ContainerInfo } from '../../shared/types';
import { STOP_TIMEOUT_S } from '../snapshot-plan'; // (not snapshot-common: it loads yaml, which status and list must not)

/** One overlaid shared folder of an instance, as `status` and `shared reset` report it. */
export type OverlayStatus = SharedOverlayStatus;

function mountsOf(deps: Pick<Deps, 'home' | 'env'>, ctx: InstanceContext): OverlayMount[] {
  return overlayMounts(deps.home, ctx.rec.id, ctx.manifest, ctx.vars, ctx.rec.sharedOverlay);
}

/** How to turn the overlay off, by where it was asked for (the instance's own choice, or the manifest). */
function offHint(ctx: InstanceContext): string {
  return overlaySource(ctx.rec.sharedOverlay) === 'instance'
    ? `\`ktrdr-sandbox shared overlay ${ctx.rec.id} off\``
    : 'set shared.overlay: false in ktrdr-sandbox.yml';
}

async function servicesOf(
  deps: Pick<Deps, 'env'>,
  ctx: InstanceContext,
  mounts: OverlayMount[],
): Promise<Map<OverlayMount, { service: string; target: string }[]>> {
  const model = ctx.dirExists ? await modelOrNull(ctx) : null;
  const out = new Map<OverlayMount, { service: string; target: string }[]>(mounts.map((m) => [m, []]));
  if (!model) return out;
  const binds = overlaidBinds(model.services, { mounts, vars: { ...deps.env.all(), ...ctx.vars }, projectDir: ctx.rec.path });
  for (const [service, list] of Object.entries(binds)) for (const b of list) out.get(b.mount)!.push({ service, target: b.target });
  return out;
}

/**
 * Every shared folder of the instance's manifest (shared.mounts) and how it sees it: through its overlay, or
 * read-write; with what its upper directory holds (its writes — for a read-write folder, what an earlier overlay
 * kept). A choice naming a folder the manifest no longer has shows the others (`up` refuses it).
 */
export async function sharedDataStatus(
  deps: Pick<Deps, 'home' | 'env' | 'tree' | 'files'>,
  ctx: InstanceContext,
  containers: ContainerInfo[] = [],
): Promise<SharedFolderState[]> {
  const { manifest, rec, vars } = ctx;
  const folders = Object.keys(manifest.shared.mounts).filter((f) => vars[manifest.shared.mounts[f]!]);
  if (!folders.length) return [];
  const choice = Array.isArray(rec.sharedOverlay) ? rec.sharedOverlay.filter((f) => folders.includes(f)) : rec.sharedOverlay;
  const overlaid = new Set(overlayFolders(manifest, choice));
  const mounts = folders.map((f) => overlayMountOf(deps.home, rec.id, manifest, vars, f));
  const services = await servicesOf(deps, ctx, mounts);
  const source = overlaySource(rec.sharedOverlay);
  return Promise.all(
    mounts.map(async (m) => {
      // (no walk where no overlay ever was: status lists every shared folder)
      const files = deps.files.exists(m.upper) ? (await deps.tree.walk(m.upper)).filter((e) => e.type !== 'dir') : [];
      const state: SharedFolderState = {
        folder: m.folder,
        env: m.env,
        lower: m.lower,
        upper: m.upper,
        mode: overlaid.has(m.folder) ? 'overlay' : 'read-write',
        source,
        services: services.get(m)!,
        files: files.length,
        bytes: files.reduce((n, e) => n + e.size, 0),
      };
      const mounted = mountedNow(rec.id, m, state.services, containers);
      if (mounted) state.mounted = mounted;
      return state;
    }),
  );
}

/**
 * How the instance's running containers mount a shared folder, at the target of each service that binds it:
 * its overlay volume (compose names it `<project>_<key>`), or the folder itself — read-write as soon as one
 * container writes into the folder itself.
 */
function mountedNow(
  project: string,
  m: OverlayMount,
  binds: { service: string; target: string }[],
  containers: ContainerInfo[],
): 'overlay' | 'read-write' | undefined {
  const seen = new Set<'overlay' | 'read-write'>();
  for (const c of containers) {
    if (c.state !== 'running' || c.oneOff) continue;
    for (const b of binds.filter((x) => x.service === c.service)) {
      const at = c.mounts?.find((x) => x.target === b.target);
      if (at) seen.add(at.type === 'volume' && at.source === `${project}_${m.volume}` ? 'overlay' : 'read-write');
    }
  }
  return seen.has('read-write') ? 'read-write' : seen.has('overlay') ? 'overlay' : undefined;
}

/** The overlaid folders of an instance with what it wrote; [] when neither it nor its manifest asks for an overlay. */
export async function overlayStatus(deps: Pick<Deps, 'home' | 'env' | 'tree' | 'files'>, ctx: InstanceContext): Promise<OverlayStatus[]> {
  return overlayOnly(await sharedDataStatus(deps, ctx));
}

/** The overlaid folders of a sharedDataStatus (status's `sharedOverlays`). */
export function overlayOnly(all: SharedFolderState[]): OverlayStatus[] {
  return all.filter((s) => s.mode === 'overlay').map(overlayView);
}

function overlayView({ folder, env, lower, upper, services, files, bytes }: SharedFolderState): OverlayStatus {
  return { folder, env, lower, upper, services, files, bytes };
}

/**
 * Before `up` changes anything: an instance whose manifest asks for an overlay must run on the local engine
 * (refuseRemoteOverlay, before a remote `up` syncs anything), and that engine must mount an overlay of a folder of
 * ours (probeOverlay). Refused with one line and a hint otherwise — never started without the overlay.
 */
export function refuseRemoteOverlay(deps: Pick<Deps, 'home' | 'env'>, ctx: InstanceContext): void {
  if (!ctx.on.remote || !mountsOf(deps, ctx).length) return;
  const id = ctx.rec.id;
  const what = overlaySource(ctx.rec.sharedOverlay) === 'instance' ? `The shared overlay of ${id}` : 'shared.overlay';
  throw new SandboxError('USAGE', `${what} needs the local engine: ${id} runs on ${ctx.on.name} (${ctx.on.remote.endpoint})`, {
    hint: `Move it back (\`ktrdr-sandbox move ${id} --engine default\`), or ${offHint(ctx)}.`,
  });
}

export async function probeOverlay(deps: Deps, ctx: InstanceContext, emit: EventSink = noEvents): Promise<void> {
  const mounts = mountsOf(deps, ctx);
  if (!mounts.length) return;
  refuseRemoteOverlay(deps, ctx);
  const id = ctx.rec.id;
  const probe = deps.overlay;
  // a folder asked for that no service binds (as the folder itself: ${KTRDR_DATA_DIR}, ~/.ktrdr/shared/data, …)
  // has nothing to overlay: said, not claimed
  const used = await servicesOf(deps, ctx, mounts);
  const overlaid = mounts.filter((m) => used.get(m)!.length);
  for (const m of mounts.filter((x) => !used.get(x)!.length))
    emit({
      type: 'step',
      instance: id,
      id: 'shared-overlay-unused',
      label: `Shared ${m.folder}: no service binds ${m.env} (${m.lower}) as a whole — nothing of it to overlay`,
      state: 'warning',
    });
  if (!overlaid.length) return;
  const who = (m: OverlayMount) => [...new Set(used.get(m)!.map((x) => x.service))].join(', ');
  await step(
    emit,
    id,
    'shared-overlay',
    `Shared ${overlaid.map((m) => `${m.folder} (${who(m)})`).join(', ')} through a writable overlay of this instance`,
    async () => {
      const labels = { [LABEL_INSTANCE]: id, [LABEL_OWNER]: ownerId({ files: deps.files, home: deps.home }), [LABEL_ROLE]: OVERLAY_ROLE };
      const why = await probe.probe(join(overlayRoot(deps.home, id), `.probe-${deps.env.pid}`), labels);
      if (why)
        throw new SandboxError('STATE', `shared.overlay: this engine cannot give ${id} an overlay of the shared folders: ${why}`, {
          hint: `It needs a Linux engine on this machine (overlay file system, same paths). Nothing was started; ${offHint(ctx)} to share the folders read-write.`,
        });
    },
  );
}

export type OverlayResetResult = SharedResetResult;

/** `shared reset`: drop the instance's writes to the overlaid shared folders (all, or opts.folders). */
export async function resetOverlay(
  baseDeps: Deps,
  ref: InstanceRef,
  opts: { folders?: string[] } = {},
  emit: EventSink = noEvents,
): Promise<OverlayResetResult> {
  const ctx = await resolveContext(baseDeps, ref);
  const deps = depsFor(baseDeps, ctx);
  const id = ctx.rec.id;
  // the overlaid folders, and those an earlier overlay left writes in (`shared overlay off` keeps them)
  const all = (await sharedDataStatus(deps, ctx)).filter((s) => s.mode === 'overlay' || s.files > 0).map(overlayView);
  if (!all.length)
    throw new SandboxError('USAGE', `${id} has no shared overlay: its writes go to the shared folders themselves`, {
      hint: `Give it one (\`ktrdr-sandbox shared overlay ${id} on\`, or shared.overlay in ktrdr-sandbox.yml), then \`ktrdr-sandbox up\`.`,
    });
  const unknown = (opts.folders ?? []).filter((f) => !all.some((s) => s.folder === f));
  if (unknown.length)
    throw new SandboxError('USAGE', `${id} has no overlay of ${unknown.map((f) => `"${f}"`).join(', ')}`, {
      hint: `Its overlaid folders: ${all.map((s) => s.folder).join(', ')}.`,
    });
  const chosen = opts.folders?.length ? all.filter((s) => opts.folders!.includes(s.folder)) : all;
  // the upper layer must not change under a mounted overlay: stop what mounts it first
  const users = new Set(chosen.flatMap((s) => s.services.map((x) => x.service)));
  const running = (await ctx.engine.listContainers({ projects: [id], all: false })).filter((c) => !c.oneOff && users.has(c.service));
  const restarted = [...new Set(running.map((c) => c.service))].sort();
  if (running.length)
    await step(emit, id, 'overlay-stop', `Stopped ${restarted.join(', ')}`, () =>
      deps.volumeIo.stop(
        running.map((c) => c.id),
        STOP_TIMEOUT_S,
      ),
    );
  try {
    for (const s of chosen)
      await step(emit, id, 'overlay-reset', `Dropped ${s.files} file(s) written to ${s.folder}`, async () => {
        for (const d of [s.upper, join(dirname(s.upper), 'work')]) {
          await deps.files.remove(d);
          deps.files.mkdir(d);
        }
      });
  } finally {
    if (running.length)
      await step(emit, id, 'overlay-start', `Started ${restarted.join(', ')}`, () => deps.volumeIo.start(running.map((c) => c.id)));
  }
  return { instance: id, reset: chosen, restarted };
}
