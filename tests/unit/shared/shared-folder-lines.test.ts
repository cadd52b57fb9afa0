// The wording of a shared folder on every surface (main/shared/shared-folder-lines.ts): read-write, what the instance wrote
// through its overlay, what an overlay turned off left behind, and a choice its running containers do not see yet.
import { describe, expect, it } from 'vitest';
import { pendingChange, sharedFolderLine } from '../../../main/shared/shared-folder-lines';
import type { SharedFolderState } from '../../../main/shared/results';

const folder = (over: Partial<SharedFolderState>): SharedFolderState => ({
  folder: 'data',
  env: 'KTRDR_DATA_DIR',
  lower: '/s/data',
  upper: '/h/instances/r--a/overlay/data/upper',
  mode: 'read-write',
  source: 'manifest',
  services: [],
  files: 0,
  bytes: 0,
  ...over,
});

describe('a shared folder, worded', () => {
  it('one line per folder (sizes in binary units, as everywhere)', () => {
    expect(sharedFolderLine(folder({}))).toBe('shared (read-write)');
    expect(sharedFolderLine(folder({ mode: 'overlay', files: 1, bytes: 2 }))).toBe('overlay — this instance wrote 1 file, 2 B');
    expect(sharedFolderLine(folder({ mode: 'overlay', files: 0, bytes: 0 }))).toBe('overlay — this instance wrote 0 files, 0 B');
    expect(sharedFolderLine(folder({ files: 3, bytes: 4200 }))).toBe('shared (read-write) — 3 files, 4.1 KB kept from its overlay');
  });

  it('a choice the running containers do not see yet is said; none when they match or nothing runs', () => {
    expect(pendingChange(folder({ mode: 'overlay', mounted: 'read-write' }))).toBe(
      'from its next start — its running containers still write into the shared folder itself',
    );
    expect(sharedFolderLine(folder({ mode: 'read-write', mounted: 'overlay' }))).toBe(
      'shared (read-write) · from its next start — its running containers still see it through the overlay',
    );
    expect(pendingChange(folder({ mode: 'overlay', mounted: 'overlay' }))).toBeNull();
    expect(pendingChange(folder({ mode: 'overlay' }))).toBeNull();
  });
});
