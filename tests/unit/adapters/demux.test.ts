import { describe, expect, it } from 'vitest';
import { demuxLines, encodeFrame, FrameDemuxer, LineSplitter, LogLineDemuxer } from '../../../main/adapters/demux';
import type { LogLine } from '../../../main/core/deps';

describe('demux', () => {
  const buf = Buffer.concat([
    encodeFrame('stdout', 'hello\nwor'),
    encodeFrame('stderr', 'oops\n'),
    encodeFrame('stdout', 'ld\r\n'),
    encodeFrame('stderr', 'tail without newline'),
  ]);
  const expected: LogLine[] = [
    { stream: 'stdout', text: 'hello' },
    { stream: 'stderr', text: 'oops' },
    { stream: 'stdout', text: 'world' },
    { stream: 'stderr', text: 'tail without newline' },
  ];

  it('splits a hand-made multiplexed buffer into lines per stream', () => {
    expect(demuxLines(buf)).toEqual(expected);
  });

  it('gives the same lines however the bytes are chunked', () => {
    for (const size of [1, 3, 7, 8, 9, 13]) {
      const lines: LogLine[] = [];
      const d = new LogLineDemuxer((l) => lines.push(l));
      for (let i = 0; i < buf.length; i += size) d.push(buf.subarray(i, i + size));
      d.end();
      expect(lines, `chunk size ${size}`).toEqual(expected);
    }
  });

  it('keeps multi-byte characters split across frames intact', () => {
    const euro = Buffer.from('€\n');
    const b = Buffer.concat([encodeFrame('stdout', euro.subarray(0, 1)), encodeFrame('stdout', euro.subarray(1))]);
    expect(demuxLines(b)).toEqual([{ stream: 'stdout', text: '€' }]);
  });

  it('passes TTY (raw) output through as stdout', () => {
    expect(demuxLines(Buffer.from('a\nb\n'), { tty: true })).toEqual([
      { stream: 'stdout', text: 'a' },
      { stream: 'stdout', text: 'b' },
    ]);
    // not multiplexed, not declared TTY: detected by the header check
    expect(demuxLines(Buffer.from('plain text line\n'))).toEqual([{ stream: 'stdout', text: 'plain text line' }]);
  });

  it('reports raw payloads', () => {
    const seen: Array<[string, string]> = [];
    const d = new FrameDemuxer((s, data) => seen.push([s, data.toString()]));
    d.push(Buffer.concat([encodeFrame('stderr', 'x'), encodeFrame('stdout', '')]));
    d.end();
    expect(seen).toEqual([['stderr', 'x']]);
  });

  it('LineSplitter keeps a partial line until flush', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a\nb');
    expect(lines).toEqual(['a']);
    s.push('c\n\nd');
    s.flush();
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });
});
