// A light reading of the compose file(s): which services exist, which are behind profiles, which publish
// host ports. Enough for the gate, `list` and the lint — no compose subprocess (those cost ~0.5 s each).
// Parsed models are cached by the files' identity (path, size, mtime): `list` reads one per instance, and
// YAML parsing ten of them cost ~0.3 s. The YAML library and the parser (compose-model-parse.ts) are loaded only
// on a cache miss.
import { isAbsolute, join } from 'node:path';
import type { ComposeModelCache, Files } from './deps';
import type { ComposeHealthcheck, ComposeModel, ComposeService } from '../shared/types';
import { SandboxError } from './errors';

/** A YAML parser (yaml's `parse`), passed in so that reading a cached model never loads it. */
export type { YamlParse } from './compose-model-parse';

export type { ComposeModel, ComposeService } from '../shared/types';

export function composeFilePaths(dir: string, files: string[]): string[] {
  return files.map((f) => (isAbsolute(f) ? f : join(dir, f)));
}

/** Bumped when ComposeModel changes shape, so that cached models of an older version are not used. */
export const COMPOSE_MODEL_VERSION = 4;

export async function readComposeModel(
  dir: string,
  files: string[],
  cache: ComposeModelCache | undefined,
  fs: Pick<Files, 'readText' | 'stat'>,
): Promise<ComposeModel> {
  const paths = composeFilePaths(dir, files);
  const notFound = (p: string) =>
    new SandboxError('STATE', `Compose file not found: ${p}`, {
      hint: 'Add it to the repository, or name your compose file(s) in ktrdr-sandbox.yml (compose.files).',
    });
  let signature: string | undefined;
  if (cache) {
    const stats = paths.map((p) => fs.stat(p));
    const missing = stats.findIndex((s) => !s);
    if (missing >= 0) throw notFound(paths[missing]!);
    signature = [`v${COMPOSE_MODEL_VERSION}`, ...paths.map((p, i) => `${p}:${stats[i]!.size}:${stats[i]!.mtimeMs}:${stats[i]!.ino}`)].join(
      '|',
    );
    const hit = cache.get(signature);
    if (hit) return hit;
  }
  const texts: string[] = [];
  for (const p of paths) {
    const text = fs.readText(p);
    if (text === undefined) throw notFound(p);
    texts.push(text);
  }
  // the parser and the YAML library load only on a cache miss
  const [{ parse }, { composeModelFromTexts }] = await Promise.all([import('yaml'), import('./compose-model-parse')]);
  const model = composeModelFromTexts(paths, texts, parse);
  if (cache && signature) cache.set(signature, model);
  return model;
}

/** Services started by a plain `up` (no profile). */
export function defaultServices(model: ComposeModel): ComposeService[] {
  return Object.values(model.services).filter((s) => s.profiles.length === 0);
}

/** Services that publish at least one host port (container-only ports are not "published"). */
export function publishingServices(model: ComposeModel): string[] {
  return defaultServices(model)
    .filter((s) => s.ports.some((p) => p.includes(':')))
    .map((s) => s.name);
}

/** The declared healthchecks of the services a plain `up` starts (the gate's fallback when the engine cannot say). */
export function healthchecksOf(model: ComposeModel): Record<string, ComposeHealthcheck> {
  return Object.fromEntries(defaultServices(model).flatMap((s) => (s.healthcheck ? [[s.name, s.healthcheck] as const] : [])));
}
