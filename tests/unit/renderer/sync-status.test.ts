// The card's sync line (renderer/src/components/SyncStatus.tsx), rendered to HTML: the watcher's summary, the
// warning colour when the last sync failed, "stopped" once its process is gone, nothing without a watcher.
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SyncStatus } from '../../../renderer/src/components/SyncStatus';
import type { InstanceView } from '../../../main/shared/views';
import type { SyncState } from '../../../main/shared/sync';

// the unit project compiles .tsx with the classic JSX transform (React.createElement); the renderer's build uses
// the automatic one, so its components do not import React
(globalThis as { React?: unknown }).React = React;

const now = Date.parse('2026-01-01T12:00:10Z');
const base: SyncState = {
  id: 'a',
  pid: 7,
  state: 'watching',
  startedAt: '2026-01-01T11:00:00Z',
  syncs: 4,
  lastSyncAt: '2026-01-01T12:00:07Z',
  lastFiles: 2,
  alive: true,
};
const html = (sync?: SyncState) => renderToStaticMarkup(React.createElement(SyncStatus, { view: { id: 'a', sync } as InstanceView, now }));

describe('the sync line on a card', () => {
  it('watching: last sync and files, muted', () => {
    expect(html(base)).toBe(
      '<span class="muted" data-testid="sync-status" data-state="watching" title="sync watcher pid 7">sync: watching, last sync 3s ago, 2 files</span>',
    );
  });
  it('failed: the reason, in the warning colour', () => {
    const h = html({ ...base, state: 'failed', error: 'rsync: connection closed' });
    expect(h).toContain('class="warn"');
    expect(h).toContain('sync failed: rsync: connection closed (retried on the next change)');
  });
  it('its process gone: stopped; no watcher: nothing', () => {
    expect(html({ ...base, alive: false })).toContain('data-state="stopped"');
    expect(html({ ...base, alive: false })).toContain('>sync: stopped</span>');
    expect(html(undefined)).toBe('');
  });
});
