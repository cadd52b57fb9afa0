// The per-instance choice of a shared data overlay (issue 14, item 4): `create NAME --shared-overlay [FOLDER…]` /
// `--no-shared-overlay`, and `shared overlay [ID] on [FOLDER…] | off` for an existing instance. The choice is kept
// in the instance's registry record (`sharedOverlay`) and outranks the manifest's `shared.overlay`; it takes
// effect at the next `up` (the override is written there, the overlay probed there). Turning it off never deletes
// the instance's writes: they stay in the upper directory until `shared reset`.
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { depsFor, resolveContext } from '../instance-context';
import type { Manifest } from '../manifest-schema';
import { chosenFolders, overlayFolders, type OverlayChoice } from '../override/overlay';
import type { InstanceRef } from '../resolve';
import type { InstanceEngine } from '../../shared/types';
import type { SharedOverlayChoiceResult } from '../../shared/results';
import { sharedDataStatus } from './shared-overlay';

/** What the user asked: on (every shared folder, or those listed) or off. */
export type OverlayRequest = { on: true; folders?: string[] } | { on: false };

/**
 * The choice to record, checked against the manifest: the folders must be folders of shared.mounts (a manifest
 * without shared folders has nothing to overlay). `what` names the option in the error.
 */
export function overlayChoiceFor(manifest: Manifest, req: OverlayRequest, what: string): OverlayChoice {
  if (!req.on) return false;
  const mounts = Object.keys(manifest.shared.mounts);
  if (!mounts.length)
    throw new SandboxError('USAGE', `${what}: the manifest has no shared folders to overlay (shared.mounts is empty)`, {
      hint: 'Name the shared folders the services mount in ktrdr-sandbox.yml (shared.mounts: { data: KTRDR_DATA_DIR }).',
    });
  if (!req.folders?.length) return true;
  return chosenFolders(manifest, req.folders, what);
}

/** A new instance on an engine of another machine cannot have an overlay (the same rule `up` applies). */
export function refuseRemoteChoice(name: string, engine: InstanceEngine | undefined, choice: OverlayChoice | undefined): void {
  if (!choice || !engine?.endpoint?.startsWith('ssh://')) return;
  throw new SandboxError(
    'USAGE',
    `The shared overlay of ${name} needs the local engine: it would run on ${engine.context} (${engine.endpoint})`,
    {
      hint: 'Create it on the local engine (no --engine), or without --shared-overlay.',
    },
  );
}

export type OverlayChoiceResult = SharedOverlayChoiceResult;

/** `shared overlay [ID] on [FOLDER…] | off`: record the choice; the next `up` applies it. */
export async function setSharedOverlay(
  baseDeps: Deps,
  ref: InstanceRef,
  req: OverlayRequest,
  emit: EventSink = noEvents,
): Promise<OverlayChoiceResult> {
  const ctx = await resolveContext(baseDeps, ref);
  const deps = depsFor(baseDeps, ctx);
  const id = ctx.rec.id;
  const choice = overlayChoiceFor(ctx.manifest, req, 'shared overlay');
  if (choice && ctx.on.remote)
    throw new SandboxError(
      'USAGE',
      `The shared overlay of ${id} needs the local engine: ${id} runs on ${ctx.on.name} (${ctx.on.remote.endpoint})`,
      {
        hint: `Move it back first (\`ktrdr-sandbox move ${id} --engine default\`).`,
      },
    );
  const folders = overlayFolders(ctx.manifest, choice);
  await step(
    emit,
    id,
    'shared-overlay-choice',
    choice ? `Shared ${folders.join(', ')} through its own overlay` : 'Shared folders read-write',
    () =>
      deps.registry.update((reg) => {
        const rec = reg.instances[id];
        if (!rec) throw new SandboxError('NOT_FOUND', `No instance "${id}" in the registry`);
        rec.sharedOverlay = choice;
      }),
  );
  const running = (await ctx.engine.listContainers({ projects: [id], all: false })).some((c) => !c.oneOff);
  const after = { ...ctx, rec: { ...ctx.rec, sharedOverlay: choice } };
  const kept = (await sharedDataStatus(deps, after))
    .filter((s) => s.mode === 'read-write' && s.files > 0)
    .map(({ folder, upper, files, bytes }) => ({ folder, upper, files, bytes }));
  return { instance: id, choice, folders, running, kept };
}

/** The request of create's flags: `--shared-overlay` (true), `--shared-overlay data models`, `--no-shared-overlay` (false). */
export function overlayRequest(flag: boolean | string[] | undefined): { sharedOverlay?: OverlayRequest } {
  if (flag === undefined) return {};
  if (flag === false) return { sharedOverlay: { on: false } };
  return { sharedOverlay: flag === true ? { on: true } : { on: true, folders: flag } };
}

/** `shared overlay [ID] on [FOLDER…] | off`: the words before on/off name the instance (at most one). */
export function parseOverlayArgs(args: string[]): { id?: string; req: OverlayRequest } {
  const at = args.findIndex((a) => a === 'on' || a === 'off');
  if (at < 0 || at > 1)
    throw new SandboxError(
      'USAGE',
      at < 0 ? 'shared overlay needs "on" or "off"' : `shared overlay takes one instance, not ${args.slice(0, at).join(' ')}`,
      {
        hint: 'ktrdr-sandbox shared overlay [ID] on [FOLDER…] | off',
      },
    );
  const id = at === 1 ? args[0] : undefined;
  const rest = args.slice(at + 1);
  if (args[at] === 'off') {
    if (rest.length)
      throw new SandboxError('USAGE', `shared overlay off takes no folder (${rest.join(' ')})`, {
        hint: 'To overlay fewer folders: ktrdr-sandbox shared overlay [ID] on FOLDER…',
      });
    return { ...(id ? { id } : {}), req: { on: false } };
  }
  return { ...(id ? { id } : {}), req: rest.length ? { on: true, folders: rest } : { on: true } };
}
