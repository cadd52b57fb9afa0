// .env.sandbox: rendering and parsing. The registry is the source of truth; this file is derived from it.
import { join } from 'node:path';
import type { Manifest } from './manifest-schema';
import { portVariables } from './ports';
import type { InstanceRecord } from './types';

export const ENV_FILE = '.env.sandbox';
export const SANDBOX_VERSION = '1';

export function envFilePath(dir: string): string {
  return join(dir, ENV_FILE);
}

export function sharedVariables(manifest: Manifest, sharedHome: string): Record<string, string> {
  const vars: Record<string, string> = { KTRDR_SHARED_DIR: sharedHome };
  for (const [folder, env] of Object.entries(manifest.shared.mounts)) vars[env] = join(sharedHome, folder);
  return vars;
}

/** Every variable of an instance, in a stable order. */
export function instanceVariables(rec: InstanceRecord, manifest: Manifest, sharedHome: string): Record<string, string> {
  return {
    COMPOSE_PROJECT_NAME: rec.id,
    INSTANCE_ID: rec.id,
    SLOT_NUMBER: String(rec.slot),
    SANDBOX_VERSION,
    CREATED_AT: rec.createdAt,
    ...portVariables(manifest, rec.slot),
    ...sharedVariables(manifest, sharedHome),
  };
}

export function renderEnvFile(vars: Record<string, string>): string {
  const header = [
    '# Written by ktrdr-sandbox from its registry. Do not edit: changes are overwritten.',
    '# Regenerate with `ktrdr-sandbox up` (self-heals when missing). Holds no secrets.',
  ];
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${quoteIfNeeded(v)}`);
  return [...header, ...lines, ''].join('\n');
}

function quoteIfNeeded(v: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]*$/.test(v) ? v : `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** dotenv subset: comments, blank lines, KEY=VALUE with optional quotes, "=" inside values, `export ` prefix. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice(7).trim() : line;
    const eq = body.indexOf('=');
    if (eq <= 0) continue;
    const key = body.slice(0, eq).trim();
    let value = body.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1);
    }
    out[key] = value;
  }
  return out;
}
