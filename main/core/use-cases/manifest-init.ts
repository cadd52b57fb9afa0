// manifest init: write the derived manifest of a Compose repository as ktrdr-sandbox.yml (never over an
// existing one without force), validated before it is written.
import type { ComposeHost } from '../compose-files';
import { join } from 'node:path';
import type { Files } from '../deps';
import { SandboxError } from '../errors';
import { deriveForDir, MANIFEST_FILE, type DerivedFor } from '../manifest';
import { validateManifest } from '../manifest-validate';
import { renderManifestYaml } from '../manifest-writer';
import { ktrdrPreset } from '../preset';

export interface ManifestInitResult {
  path: string;
  written: boolean;
  text: string;
  derived: Pick<DerivedFor, 'manifest' | 'notes' | 'found'>;
}

export async function manifestInit(
  files: Files,
  dir: string,
  opts: { force?: boolean; dryRun?: boolean; host: ComposeHost },
): Promise<ManifestInitResult> {
  const path = join(dir, MANIFEST_FILE);
  if (files.stat(path) && !opts.force && !opts.dryRun) {
    throw new SandboxError('STATE', `${path} already exists: it was left as it is`, {
      hint: 'Pass --force to replace it with the derived one, or --stdout to print it.',
    });
  }
  if (files.stat(join(dir, ktrdrPreset.compose.files[0]!))) {
    throw new SandboxError('USAGE', `${dir} has ${ktrdrPreset.compose.files[0]}: it uses the built-in KTRDR preset, nothing to derive`, {
      hint: 'Write a ktrdr-sandbox.yml by hand to change the preset (README: "Project manifest").',
    });
  }
  const derived = await deriveForDir(dir, opts.host, files);
  if (!derived) {
    throw new SandboxError(
      'USAGE',
      `No compose file in ${dir} (compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, or COMPOSE_FILE)`,
      {
        hint: 'Run it at the root of a Compose repository.',
      },
    );
  }
  const text = renderManifestYaml(derived);
  const { parse } = await import('yaml');
  validateManifest(parse(text), `${path} (as derived)`); // never write what would not load
  if (!opts.dryRun) files.write(path, text, { mode: 0o644 });
  return { path, written: !opts.dryRun, text, derived: { manifest: derived.manifest, notes: derived.notes, found: derived.found } };
}
