// Environment for child processes (docker, docker-compose, git).
import os from 'node:os';
import path from 'node:path';

/**
 * Apps started from a desktop session (launchd on macOS) get a minimal PATH without the usual Docker
 * install locations. Append the well-known ones that are missing; never reorder what the user has.
 */
export function augmentPath(currentPath: string | undefined, home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return currentPath ?? '';
  const parts = (currentPath ?? '').split(path.delimiter).filter((p) => p !== '');
  const extra = [
    '/usr/local/bin',
    '/usr/bin',
    '/bin',
    '/opt/homebrew/bin',
    path.join(home, '.docker', 'bin'),
    '/Applications/Docker.app/Contents/Resources/bin',
    path.join(home, '.orbstack', 'bin'),
    path.join(home, '.rd', 'bin'),
  ];
  for (const dir of extra) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(path.delimiter);
}

/** base (usually process.env) + extras, later ones winning; PATH augmented; undefined values dropped. */
export function childEnv(base: NodeJS.ProcessEnv, ...extras: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  for (const e of extras) if (e) Object.assign(out, e);
  const pathKey = process.platform === 'win32' ? (Object.keys(out).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH';
  out[pathKey] = augmentPath(out[pathKey], base.HOME || os.homedir());
  return out;
}
