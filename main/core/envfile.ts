// .env.sandbox: rendering and parsing. The registry is the source of truth; this file is derived from it.
import { join } from 'node:path';
import type { Manifest } from './manifest-schema';
import { portVariables } from './ports';
import type { InstanceRecord } from '../shared/types';

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

const CHECKSUM = '# checksum ';

export function renderEnvFile(vars: Record<string, string>): string {
  const header = [
    '# Written by ktrdr-sandbox from its registry. Do not edit: changes are overwritten (the old file is kept in .env.sandbox.bak).',
    '# Regenerate with `ktrdr-sandbox up` (self-heals when missing). Holds no secrets.',
  ];
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${quoteIfNeeded(v)}`);
  return [...header, ...lines, `${CHECKSUM}${checksum(lines)}`, ''].join('\n');
}

/** FNV-1a (32 bit) of the variable lines: tells our own (possibly stale) file from a hand-edited one. */
function checksum(lines: string[]): string {
  let h = 0x811c9dc5;
  for (const ch of lines.join('\n')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const ours = (line: string) =>
  line.startsWith('# Written by ktrdr-sandbox') || line.startsWith('# Regenerate with') || line.startsWith(CHECKSUM);

/** True when text is a file we wrote, untouched since (its checksum line matches its variable lines). */
export function writtenByUs(text: string): boolean {
  const all = text.split('\n');
  const sum = all.find((l) => l.startsWith(CHECKSUM));
  if (!sum) return false;
  const body = all.filter((l) => l !== '' && !l.startsWith('#'));
  return all.filter((l) => l.startsWith('#')).every(ours) && sum.slice(CHECKSUM.length) === checksum(body);
}

/**
 * Would rewriting `have` with `want` lose something a person wrote? Not for a file we wrote (even a stale one:
 * the registry changed), nor for one that differs only in our own comments (files from before the checksum).
 */
export function handEdited(have: string, want: string): boolean {
  if (have.trim() === '' || writtenByUs(have)) return false;
  const foreignComments = have.split(/\r?\n/).some((l) => l.trim().startsWith('#') && !ours(l.trim()));
  const a = parseEnvFile(have);
  const b = parseEnvFile(want);
  const same = Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return foreignComments || !same;
}

/** What a hand edit changed, line by line ("KTRDR_API_PORT: 9999 → 8001", "MY_VAR=x (not from the registry)"). */
export function envFileChanges(have: string, want: string): string[] {
  const a = parseEnvFile(have);
  const b = parseEnvFile(want);
  const out: string[] = [];
  // lines only a person adds or removes first: they matter most
  for (const [k, v] of Object.entries(a)) if (!(k in b)) out.push(`${k}=${v} (not from the registry)`);
  for (const k of Object.keys(b)) if (!(k in a)) out.push(`${k} missing`);
  for (const [k, v] of Object.entries(b)) if (k in a && a[k] !== v) out.push(`${k}: ${a[k]} → ${v}`);
  if (!out.length) out.push('comments or formatting');
  return out;
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
