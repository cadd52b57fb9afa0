// Reading the small files a command needs: the registry, .env.sandbox, the manifest, compose files, gate
// reports. Synchronously, on purpose: a CLI command reads a handful of them, and node's promise API costs a
// thread-pool start (~4 ms) on first use plus a round trip per call (~0.7 ms) where a sync read takes
// ~0.1 ms; fs/promises itself costs ~3 ms to load. The long-running dashboard reads them rarely.
import { readFileSync, statSync, type Stats } from 'node:fs';

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's text, or undefined when it does not exist. Other errors (permissions, a directory) are thrown. */
export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

/** The file's stats, or undefined when it does not exist. */
export function statIfExists(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

