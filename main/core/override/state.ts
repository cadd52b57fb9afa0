// Where the override lives (the sandbox state: <home>/instances/<id>/compose.override.yml, never the user's
// repository) and writing it before compose runs. Whether isolation is on is decided by `up` (manifest
// `isolation: off`, `up --no-isolate`) and remembered, so that run/down/destroy/evidence see the same files.
import { join } from 'node:path';
import type { Files } from '../deps';
import type { ComposeModel } from '../../shared/types';
import type { OverrideInput } from './types';
import type { Manifest } from '../manifest-schema';
import { ownerId } from '../owner';
import { buildOverride, renderOverride } from './index';

import { instanceStateDir, OVERRIDE_FILE } from './paths';

export { OVERRIDE_FILE, instanceStateDir, overridePath } from './paths';
const OPTIONS_FILE = 'override-options.json';

export interface OverrideOptions {
  isolate: boolean;
  startInterval: boolean;
}

/** Isolation is on unless the manifest says `isolation: off` or `up --no-isolate` asked for it (remembered). */
export function manifestIsolation(manifest: Manifest): boolean {
  const v = (manifest as { isolation?: unknown }).isolation;
  return !(v === 'off' || v === false);
}

function readOptions(files: Files, home: string, id: string): Partial<OverrideOptions> {
  try {
    const o = JSON.parse(files.readText(join(instanceStateDir(home, id), OPTIONS_FILE)) ?? '{}') as Partial<OverrideOptions>;
    return {
      ...(typeof o.isolate === 'boolean' ? { isolate: o.isolate } : {}),
      ...(typeof o.startInterval === 'boolean' ? { startInterval: o.startInterval } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * The isolation decision for this instance: the manifest's off wins, then what `up` last asked for, then on.
 */
export function isolationFor(home: string, id: string, manifest: Manifest, requested: boolean | undefined, files: Files): boolean {
  if (!manifestIsolation(manifest)) return false;
  if (requested !== undefined) return requested;
  return readOptions(files, home, id).isolate ?? true;
}

/**
 * Write the override (only when it changed) and, when `up` decided, remember the isolation choice.
 */
export function writeOverride(opts: {
  home: string;
  id: string;
  manifest: Manifest;
  model: ComposeModel;
  isolate?: boolean;
  startInterval?: boolean;
  pathMap?: OverrideInput['pathMap'];
  overlay?: OverrideInput['overlay'];
  files: Files;
}): { file: string; isolate: boolean } {
  const { home, id, model } = opts;
  const files = opts.files;
  const isolate = isolationFor(home, id, opts.manifest, opts.isolate, files);
  const dir = instanceStateDir(home, id);
  files.mkdir(dir);
  const saved = readOptions(files, home, id);
  const startInterval = opts.startInterval ?? saved.startInterval ?? false;
  if (
    (opts.isolate !== undefined && saved.isolate !== opts.isolate) ||
    (opts.startInterval !== undefined && saved.startInterval !== opts.startInterval)
  ) {
    const next = {
      ...saved,
      ...(opts.isolate !== undefined ? { isolate: opts.isolate } : {}),
      ...(opts.startInterval !== undefined ? { startInterval: opts.startInterval } : {}),
    };
    files.write(join(dir, OPTIONS_FILE), `${JSON.stringify(next)}\n`);
  }
  const input: OverrideInput = { id, owner: ownerId({ files, home }), model, isolate, startInterval };
  if (opts.pathMap) input.pathMap = opts.pathMap;
  if (opts.overlay?.mounts.length) {
    input.overlay = opts.overlay;
    // the overlay's upper and work directories must exist before a container mounts it
    for (const m of opts.overlay.mounts) for (const d of [m.upper, m.work]) files.mkdir(d);
  }
  const text = renderOverride(buildOverride(input), input);
  const file = join(dir, OVERRIDE_FILE);
  let current: string | undefined;
  try {
    current = files.readText(file);
  } catch {
    current = undefined;
  }
  if (current !== text) files.write(file, text, { mode: 0o644 });
  return { file, isolate };
}

/** Forget the instance's generated state (destroy, prune). */
export function removeOverrideState(files: Files, home: string, id: string): Promise<void> {
  return files.remove(instanceStateDir(home, id));
}
