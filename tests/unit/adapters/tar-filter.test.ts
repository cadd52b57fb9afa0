// The tar filter against archives written by the tar package (ustar and pax headers, long names, empty files,
// chunks cut anywhere): dropped entries vanish whole, kept ones come through byte for byte.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarFilter } from '../../../main/adapters/tar-filter';

let dir: string;
let archive: Buffer;
const long = `deep/${'d'.repeat(120)}/file.txt`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kts-tarfilter-'));
  const src = join(dir, 'vol');
  await mkdir(join(src, 'pg_wal'), { recursive: true });
  await mkdir(join(src, long, '..'), { recursive: true });
  await writeFile(join(src, 'pg_wal', 'keep'), 'k'.repeat(1000));
  await writeFile(join(src, 'pg_wal', 'drop'), 'x'.repeat(70_000));
  await writeFile(join(src, 'empty'), '');
  await writeFile(join(src, long), 'long name');
  await writeFile(join(src, `${'n'.repeat(130)}-drop`), 'y'.repeat(600));
  await tar.create({ cwd: dir, file: join(dir, 'a.tar'), portable: true }, ['vol']);
  archive = await readFile(join(dir, 'a.tar'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function filtered(chunk: number): Promise<{ out: Buffer; skipped: number[] }> {
  const parts: Buffer[] = [];
  const skipped: number[] = [];
  const chunks = Array.from({ length: Math.ceil(archive.length / chunk) }, (_, i) => archive.subarray(i * chunk, (i + 1) * chunk));
  await pipeline(
    Readable.from(chunks),
    tarFilter((p) => !p.endsWith('drop'), { strip: 'vol/', onSkip: (n) => skipped.push(n) }),
    new Writable({ write: (c: Buffer, _e, cb) => (parts.push(Buffer.from(c)), cb()) }),
  );
  return { out: Buffer.concat(parts), skipped };
}

async function entries(buf: Buffer): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  const parser = new tar.Parser({ strict: true });
  parser.on('entry', (e: tar.ReadEntry) => {
    const chunks: Buffer[] = [];
    e.on('data', (c: Buffer) => chunks.push(c));
    e.on('end', () => (seen[e.path] = Buffer.concat(chunks).toString()));
  });
  await pipeline(Readable.from([buf]), parser);
  return seen;
}

describe('tarFilter', () => {
  it('drops the rejected entries whole and keeps the rest intact, whatever the chunk size', async () => {
    const all = await entries(archive);
    const expected = Object.fromEntries(Object.entries(all).filter(([p]) => !p.endsWith('drop')));
    expect(Object.keys(all)).toHaveLength(Object.keys(expected).length + 2);
    expect(expected[`vol/${long}`]).toBe('long name'); // a pax path header, kept with its entry
    for (const size of [1, 511, 512, 513, 4096, 1 << 20]) {
      const { out, skipped } = await filtered(size);
      expect(await entries(out)).toEqual(expected);
      expect(skipped.sort((a, b) => a - b)).toEqual([600, 70_000]);
      expect(out.length % 512).toBe(0);
    }
  });
});
