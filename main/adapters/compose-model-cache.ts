// Parsed compose models kept between commands in <home>/cache/compose-models.json, so `list` (one model
// per instance) never re-parses YAML that did not change. A cache: unreadable → empty, write failures
// ignored, at most MAX_ENTRIES kept (the newest).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComposeModel } from '../shared/types';
import type { ComposeModelCache } from '../core/deps';

const MAX_ENTRIES = 200;

interface CacheFile {
  version: 1;
  entries: Record<string, ComposeModel>;
}

export function createComposeModelCache(home: string): ComposeModelCache {
  const dir = join(home, 'cache');
  const file = join(dir, 'compose-models.json');
  let entries: Map<string, ComposeModel> | undefined;

  const load = (): Map<string, ComposeModel> => {
    if (entries) return entries;
    entries = new Map();
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (data.version === 1 && data.entries && typeof data.entries === 'object') entries = new Map(Object.entries(data.entries));
    } catch {
      // no cache yet, or a broken one: start empty
    }
    return entries;
  };

  return {
    get: (signature) => load().get(signature),
    set(signature, model) {
      const map = load();
      map.delete(signature);
      map.set(signature, model);
      while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ version: 1, entries: Object.fromEntries(map) } satisfies CacheFile));
        renameSync(tmp, file);
      } catch {
        // read-only home or full disk: the next command parses again
      }
    },
  };
}
