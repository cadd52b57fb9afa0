// Which WAL a PostgreSQL volume's copy may leave out, from pg_controldata's output (pure).
import { describe, expect, it } from 'vitest';
import { isRecycledWal, walTrimFrom, type WalTrim } from '../../../main/core/snapshot-postgres';

const out = (state: string, lsn: string, extra = '') =>
  `pgdata: .\nDatabase cluster state:               ${state}\nLatest checkpoint location:           ${lsn}\n` +
  `Latest checkpoint's TimeLineID:       2\nBytes per WAL segment:                16777216\n${extra}`;

describe('walTrimFrom / isRecycledWal', () => {
  it('keeps the checkpoint segment, leaves later segments of the timeline out', () => {
    const t = walTrimFrom(out('shut down', '1/0A000A70')) as WalTrim;
    expect(t).toMatchObject({ dir: '', timeline: '00000002', lastKept: 0x10an });
    // 16 MB segments: 256 per "log" file number; 1/0A000A70 is in segment 0x10A
    expect(isRecycledWal(t, 'pg_wal/00000002000000010000000A')).toBe(false);
    expect(isRecycledWal(t, 'pg_wal/00000002000000010000000B')).toBe(true);
    expect(isRecycledWal(t, 'pg_wal/00000002000000010000000C')).toBe(true);
    expect(isRecycledWal(t, 'pg_wal/000000020000000200000000')).toBe(true);
    expect(isRecycledWal(t, 'pg_wal/0000000200000000000000FF')).toBe(false); // older: kept (slots may need it)
    expect(isRecycledWal(t, 'pg_wal/00000001000000010000000F')).toBe(false); // another timeline
    expect(isRecycledWal(t, 'pg_wal/00000002.history')).toBe(false);
    expect(isRecycledWal(t, 'pg_wal/archive_status/00000002000000010000000C.done')).toBe(false);
    expect(isRecycledWal(t, 'base/1/00000002000000010000000C')).toBe(false);
  });

  it('keeps the next segment too when the checkpoint record starts in the last 64 kB of its segment', () => {
    const t = walTrimFrom(out('shut down', '1/0AFF0A70')) as WalTrim;
    expect(t.lastKept).toBe(0x10bn);
    expect(isRecycledWal(t, 'pg_wal/00000002000000010000000B')).toBe(false);
    expect(isRecycledWal(t, 'pg_wal/00000002000000010000000C')).toBe(true);
  });

  it('finds PGDATA one level down', () => {
    const t = walTrimFrom(out('shut down', '0/3000028').replace('pgdata: .', 'pgdata: pgdata/')) as WalTrim;
    expect(t.dir).toBe('pgdata/');
    expect(isRecycledWal(t, 'pgdata/pg_wal/000000020000000000000009')).toBe(true);
    expect(isRecycledWal(t, 'pg_wal/000000020000000000000009')).toBe(false);
  });

  it('gives no trim unless the cluster was shut down cleanly and the output is as expected', () => {
    expect(walTrimFrom(out('in production', '0/3000028'))).toEqual({ reason: 'cluster state "in production", not "shut down"' });
    expect(walTrimFrom(out('shut down in recovery', '0/3000028'))).toHaveProperty('reason');
    expect(walTrimFrom(out('shut down', 'garbage'))).toEqual({ reason: 'unexpected pg_controldata output' });
    expect(walTrimFrom('no PostgreSQL data directory in the volume')).toEqual({ reason: 'pg_controldata did not run' });
  });
});
