// How a shared folder (manifest shared.mounts) is worded on every surface — `status` and the dashboard's details:
// read-write, or what the instance wrote through its overlay, or what an overlay turned off left behind; and a
// change of choice its running containers do not see yet (they keep their mounts until the next start).
import { formatBytes } from './format';
import type { SharedFolderState } from './results';

function written(f: SharedFolderState): string {
  return `${f.files} file${f.files === 1 ? '' : 's'}, ${formatBytes(f.bytes)}`;
}

/** A choice its running containers do not see yet (`mounted` differs from `mode`), or null. */
export function pendingChange(f: SharedFolderState): string | null {
  if (!f.mounted || f.mounted === f.mode) return null;
  return f.mounted === 'read-write'
    ? 'from its next start — its running containers still write into the shared folder itself'
    : 'from its next start — its running containers still see it through the overlay';
}

/** "overlay — this instance wrote 2 files, 12 B", "shared (read-write)", "shared (read-write) — 3 files, 4.1 KB kept from its overlay", and the pending change. */
export function sharedFolderLine(f: SharedFolderState): string {
  const line =
    f.mode === 'overlay'
      ? `overlay — this instance wrote ${written(f)}`
      : f.files
        ? `shared (read-write) — ${written(f)} kept from its overlay`
        : 'shared (read-write)';
  const pending = pendingChange(f);
  return pending ? `${line} · ${pending}` : line;
}
