// The details' line per shared folder (renderer/src/shared-data.ts): read-write, or what the instance
// wrote through its overlay, or what an overlay turned off left behind.
import { describe, expect, it } from 'vitest';
import { folderLine, size } from '../../../renderer/src/shared-data';
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

describe('shared data in the details', () => {
  it('one line per folder', () => {
    expect(folderLine(folder({}))).toBe('shared (read-write)');
    expect(folderLine(folder({ mode: 'overlay', files: 1, bytes: 2 }))).toBe('overlay — this instance wrote 1 file, 2 B');
    expect(folderLine(folder({ mode: 'overlay', files: 0, bytes: 0 }))).toBe('overlay — this instance wrote 0 files, 0 B');
    expect(folderLine(folder({ files: 3, bytes: 4200 }))).toBe('shared (read-write) — 3 files, 4.2 kB kept from its overlay');
  });

  it('sizes', () => {
    expect([size(999), size(1000), size(2_500_000), size(3e9)]).toEqual(['999 B', '1.0 kB', '2.5 MB', '3.0 GB']);
  });
});
