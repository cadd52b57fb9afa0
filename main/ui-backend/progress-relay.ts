// The dashboard's side of the progress files (main/adapters/progress-file.ts): watch <home>/progress/, read
// what was appended since the last look, and hand every event on as the operation "<op>:<instance>" — so a
// CLI `up` shows its progress in the window. Files present at start are not replayed.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressEvent } from '../core/events';
import { PROGRESS_DIR, type ProgressLine } from '../adapters/progress-file';
import { watchDir } from './state-triggers';

export function relayProgress(home: string, onEvent: (operation: string, e: ProgressEvent) => void): () => void {
  const dir = join(home, PROGRESS_DIR);
  const seen = new Map<string, { ino: number; offset: number; rest: string }>();
  const look = (name: string, replay: boolean) => {
    if (!name.endsWith('.jsonl')) return;
    const file = join(dir, name);
    let st;
    try {
      st = statSync(file);
    } catch {
      seen.delete(name);
      return;
    }
    let cur = seen.get(name);
    if (!cur || cur.ino !== st.ino || st.size < cur.offset) {
      cur = { ino: st.ino, offset: replay ? 0 : st.size, rest: '' };
      seen.set(name, cur);
    }
    if (st.size <= cur.offset) return;
    const buf = Buffer.alloc(st.size - cur.offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, cur.offset);
    } finally {
      closeSync(fd);
    }
    cur.offset = st.size;
    const lines = (cur.rest + buf.toString('utf8')).split('\n');
    cur.rest = lines.pop() ?? '';
    for (const l of lines) {
      try {
        const p = JSON.parse(l) as ProgressLine;
        if (p.e && p.e.instance) onEvent(`${p.op}:${p.e.instance}`, p.e);
      } catch {
        // a torn line: skip it
      }
    }
  };
  const scan = (replay: boolean) => {
    try {
      for (const n of readdirSync(dir)) look(n, replay);
    } catch {
      // no directory yet: watchDir creates it
    }
  };
  scan(false);
  const watcher = watchDir(
    dir,
    () => true,
    () => scan(true),
  );
  return () => watcher?.close();
}
