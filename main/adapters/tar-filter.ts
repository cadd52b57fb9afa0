// A streaming filter over a tar archive: entries whose path the predicate rejects are dropped (header, data and
// any pax / GNU long-name header before them); everything else passes through byte for byte, in large slices.
// Used to leave recycled WAL segments out of a PostgreSQL volume's copy (core/snapshot-postgres.ts).
import { Transform } from 'node:stream';

const BLOCK = 512;

function octal(buf: Buffer, start: number, len: number): number {
  if (buf[start]! & 0x80) {
    // base-256 (GNU/star large sizes): big-endian after the marker bit
    let v = buf[start]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[start + i]!;
    return v;
  }
  const s = buf
    .toString('latin1', start, start + len)
    .replace(/\0.*$/s, '')
    .trim();
  return s ? parseInt(s, 8) : 0;
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

/** The path a pax extended header sets, if any. */
function paxPath(data: Buffer): string | undefined {
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.toString('latin1', i, sp), 10);
    if (!(len > 0)) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    if (rec.startsWith('path=')) return rec.slice(5);
    i += len;
  }
  return undefined;
}

/**
 * keep(path) decides for each entry; path is the entry's name with `strip` removed from its front (e.g. the
 * archive API's top directory "snapshot-volume/"). onSkip receives the bytes of each dropped entry's content.
 */
export function tarFilter(keep: (path: string) => boolean, opts: { strip?: string; onSkip?: (bytes: number) => void } = {}): Transform {
  let pending = Buffer.alloc(0); // bytes not yet decided (a partial block, or meta headers awaiting their entry)
  let held: Buffer[] = []; // pax/long-name headers (with their data) of the next entry
  let meta: { path?: string } = {};
  let mode: 'header' | 'pass' | 'skip' | 'meta' = 'header';
  let remaining = 0; // bytes of data (padded to blocks) left in the current entry
  let metaType = '';
  let metaData: Buffer[] = [];
  let metaSize = 0;

  const name = (raw: string) => (opts.strip && raw.startsWith(opts.strip) ? raw.slice(opts.strip.length) : raw);

  return new Transform({
    transform(this: Transform, chunk: Buffer, _enc, cb) {
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      const out: Buffer[] = [];
      while (buf.length) {
        if (mode === 'pass' || mode === 'skip') {
          const n = Math.min(remaining, buf.length);
          if (mode === 'pass') out.push(buf.subarray(0, n));
          buf = buf.subarray(n);
          remaining -= n;
          if (!remaining) mode = 'header';
          continue;
        }
        if (mode === 'meta') {
          const n = Math.min(remaining, buf.length);
          metaData.push(buf.subarray(0, n));
          held.push(buf.subarray(0, n));
          buf = buf.subarray(n);
          remaining -= n;
          if (!remaining) {
            const data = Buffer.concat(metaData).subarray(0, metaSize);
            if (metaType === 'x') meta.path = paxPath(data) ?? meta.path;
            else if (metaType === 'L') meta.path = data.toString('utf8').replace(/\0.*$/s, '');
            metaData = [];
            mode = 'header';
          }
          continue;
        }
        if (buf.length < BLOCK) {
          pending = Buffer.from(buf);
          break;
        }
        const header = buf.subarray(0, BLOCK);
        buf = buf.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          out.push(...held, header); // end-of-archive blocks (or padding): always kept
          held = [];
          continue;
        }
        const type = String.fromCharCode(header[156]!);
        const size = octal(header, 124, 12);
        const padded = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'x' || type === 'L' || type === 'K') {
          held.push(header);
          metaType = type;
          metaSize = size;
          remaining = padded;
          mode = padded ? 'meta' : 'header';
          continue;
        }
        const ustar = header.toString('latin1', 257, 262) === 'ustar';
        const prefix = ustar ? cString(header, 345, 155) : '';
        const path = meta.path ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
        meta = {};
        const keepIt = type === 'g' || keep(name(path));
        if (keepIt) out.push(...held, header);
        else opts.onSkip?.(size);
        held = [];
        remaining = padded;
        mode = padded ? (keepIt ? 'pass' : 'skip') : 'header';
      }
      // copies of what is held, so that the next chunk's buffer can be reused
      held = held.map((b) => Buffer.from(b));
      for (const b of out) this.push(b);
      cb();
    },
    flush(cb) {
      cb(null, pending.length || held.length ? Buffer.concat([...held, pending]) : undefined);
    },
  });
}
