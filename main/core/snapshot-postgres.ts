// Volumes the manifest marks as PostgreSQL data directories (snapshot.postgres): after the clean stop, the WAL
// segments past the shutdown checkpoint are recycled files (PostgreSQL renames old segments to future names and
// keeps up to max_wal_size of them after a bulk load) that no start-up reads: they are left out of the copy.
// A 263 MB database kept 376 MB of them. What pg_controldata says decides; anything unexpected copies everything.

/** Run in a helper with the volume as working directory: finds PGDATA (the volume root or one level down). */
export const PG_CONTROL_SCRIPT = [
  'for d in . */; do',
  '  if [ -f "$d/global/pg_control" ]; then',
  '    echo "pgdata: $d"',
  '    PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr "\\n" ":")" LC_ALL=C pg_controldata "$d"',
  '    exit $?',
  '  fi',
  'done',
  'echo "no PostgreSQL data directory in the volume"',
  'exit 3',
].join('\n');

export interface WalTrim {
  /** PGDATA relative to the volume root: "" or "pgdata/". */
  dir: string;
  timeline: string;
  /** Segments numbered above this one are recycled (the shutdown checkpoint's record is in the segments up to it). */
  lastKept: bigint;
  segmentBytes: bigint;
}

/** The trim that pg_controldata's output allows, or the reason there is none. */
export function walTrimFrom(output: string): WalTrim | { reason: string } {
  const field = (label: string) => output.match(new RegExp(`^${label}:\\s*(.+?)\\s*$`, 'm'))?.[1];
  const dir = field('pgdata');
  const state = field('Database cluster state');
  const lsn = field('Latest checkpoint location')?.match(/^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i);
  const tli = field("Latest checkpoint's TimeLineID");
  const seg = field('Bytes per WAL segment');
  if (dir === undefined || !state) return { reason: 'pg_controldata did not run' };
  if (state !== 'shut down') return { reason: `cluster state "${state}", not "shut down"` };
  if (!lsn || !tli || !/^\d+$/.test(tli) || !seg || !/^\d+$/.test(seg) || BigInt(seg) <= 0n)
    return { reason: 'unexpected pg_controldata output' };
  const segmentBytes = BigInt(seg);
  const position = (BigInt(`0x${lsn[1]}`) << 32n) + BigInt(`0x${lsn[2]}`);
  // A checkpoint record is a few hundred bytes: it can only reach into the next segment when it starts in the
  // last page (at most 64 kB) of its own; then that segment is kept too.
  const nearEnd = position % segmentBytes >= segmentBytes - 65536n;
  const lastKept = position / segmentBytes + (nearEnd ? 1n : 0n);
  return {
    dir: dir === '.' ? '' : dir.replace(/\/*$/, '/').replace(/^\.\//, ''),
    timeline: Number(tli).toString(16).toUpperCase().padStart(8, '0'),
    lastKept,
    segmentBytes,
  };
}

const SEGMENT = /^pg_wal\/([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

/** Whether a path of the volume (relative to its root) is a recycled WAL segment the copy can leave out. */
export function isRecycledWal(trim: WalTrim, path: string): boolean {
  if (!path.startsWith(trim.dir)) return false;
  const m = SEGMENT.exec(path.slice(trim.dir.length));
  if (!m || m[1] !== trim.timeline) return false;
  const perLog = 0x1_0000_0000n / trim.segmentBytes;
  const segNo = BigInt(`0x${m[2]}`) * perLog + BigInt(`0x${m[3]}`);
  return segNo > trim.lastKept;
}
