// Loading the project manifest (ktrdr-sandbox.yml) or falling back to the KTRDR preset.
import { join } from 'node:path';
import { findComposeFiles, type ComposeHost, type FoundComposeFiles } from './compose-files';
import type { DerivedManifest } from './derive-manifest';
import { parseEnvFile } from './envfile';
import { SandboxError } from './errors';
import type { Manifest } from './manifest-schema';
import { ktrdrPreset } from './preset';
import type { Files } from './deps';

export const MANIFEST_FILE = 'ktrdr-sandbox.yml';

export interface LoadedManifest {
  manifest: Manifest;
  /** 'preset', the manifest file's path, or "derived from <compose files>". */
  source: 'preset' | string;
  /** How it was found: a ktrdr-sandbox.yml, the KTRDR preset, or derived from a plain compose file. */
  kind?: 'file' | 'preset' | 'derived';
}

export interface DerivedFor extends DerivedManifest {
  found: FoundComposeFiles;
}

// Derived manifests of this process, by the compose files' identity (the dashboard and `list` ask again and again).
const derivedMemo = new Map<string, DerivedFor>();

/**
 * Zero configuration: the manifest derived from the compose file(s) `docker compose` would use in dir, or
 * null when it finds none. COMPOSE_FILE / COMPOSE_PATH_SEPARATOR are read from dir/.env (as compose reads
 * them), and from env when given — by default nothing from the process environment: the CLI, the tray app
 * and the dashboard must derive the same slot map whatever shell they were started from.
 */
export async function deriveForDir(dir: string, host: ComposeHost, fs: Pick<Files, 'readText' | 'stat'>): Promise<DerivedFor | null> {
  const dotenv = parseEnvFile(fs.readText(join(dir, '.env')) ?? '');
  const found = findComposeFiles((name) => fs.stat(join(dir, name))?.kind === 'file', host.env ?? {}, dotenv, host.platform);
  if (!found) return null;
  const paths = found.files.map((f) => (f.startsWith('/') ? f : join(dir, f)));
  const stats = paths.map((p) => fs.stat(p));
  const missing = stats.findIndex((st) => !st);
  if (missing >= 0) {
    throw new SandboxError('STATE', `Compose file not found: ${paths[missing]} (named by COMPOSE_FILE)`, {
      hint: 'Fix COMPOSE_FILE, or name your compose files in ktrdr-sandbox.yml (compose.files).',
    });
  }
  const key = paths.map((p, i) => `${p}:${stats[i]!.size}:${stats[i]!.mtimeMs}`).join('|') + `|${found.files.join(',')}`;
  const hit = derivedMemo.get(key);
  if (hit) return hit;
  // the deriving code and the YAML library load only when a manifest is derived (not for the preset or a memo hit)
  const [{ parse }, { deriveManifest }] = await Promise.all([import('yaml'), import('./derive-manifest')]);
  const texts = paths.map((p) => fs.readText(p) ?? '');
  const out: DerivedFor = { ...deriveManifest(found.files, texts, parse), found };
  derivedMemo.set(key, out);
  return out;
}

/**
 * The manifest of the repository rooted at dir: its ktrdr-sandbox.yml; else the KTRDR preset when
 * docker-compose.sandbox.yml is there; else derived from the compose file compose itself would use; else the
 * preset (whose missing compose file is then reported by whoever reads it).
 */
export async function loadManifest(dir: string, host: ComposeHost, fs: Pick<Files, 'readText' | 'stat'>): Promise<LoadedManifest> {
  const file = join(dir, MANIFEST_FILE);
  const text = fs.readText(file);
  if (text === undefined) {
    if (!fs.stat(dir) || fs.stat(join(dir, ktrdrPreset.compose.files[0]!)))
      return { manifest: ktrdrPreset, source: 'preset', kind: 'preset' };
    const derived = await deriveForDir(dir, host, fs);
    if (derived) return { manifest: derived.manifest, source: `derived from ${derived.found.files.join(' + ')}`, kind: 'derived' };
    return { manifest: ktrdrPreset, source: 'preset', kind: 'preset' };
  }
  const { parse: parseYaml } = await import('yaml'); // only repositories with a manifest pay for the YAML library
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new SandboxError('MANIFEST_INVALID', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  // the schema library loads only here: the preset and derived manifests are built by this code, already valid
  const { validateManifest } = await import('./manifest-validate');
  return { manifest: validateManifest(raw, file), source: file, kind: 'file' };
}
