// The instance details' wording of a shared folder (components/SharedData.tsx): read-write, or what the instance
// wrote through its overlay, or what an overlay turned off left behind.
import type { SharedFolderState } from '../../main/shared/results';

/** "12 B", "3.4 kB", "5.0 MB". */
export function size(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

/** One folder's line: "shared (read-write)", or "overlay — this instance wrote 2 files, 12 B". */
export function folderLine(f: SharedFolderState): string {
  const files = `${f.files} file${f.files === 1 ? '' : 's'}, ${size(f.bytes)}`;
  if (f.mode === 'overlay') return `overlay — this instance wrote ${files}`;
  return f.files ? `shared (read-write) — ${files} kept from its overlay` : 'shared (read-write)';
}
