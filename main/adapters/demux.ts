// Docker's multiplexed stream format (non-TTY logs, attach and exec): frames of an 8-byte header
// [stream type, 0, 0, 0, size uint32 BE] followed by `size` bytes. Chunks may split or join frames.
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../core/deps';

export type StreamName = LogLine['stream'];

/** Splits text chunks into lines ("\n", optional "\r" dropped); keeps a partial last line until flush. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
  }

  flush(): void {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text !== '') this.onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}

/**
 * Incremental demultiplexer. Emits raw payloads per stream. When the data does not look multiplexed
 * (TTY containers, or a misaligned stream), everything from there on is passed through as stdout.
 */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  private raw: boolean;

  constructor(
    private readonly onData: (stream: StreamName, data: Buffer) => void,
    opts: { tty?: boolean } = {},
  ) {
    this.raw = opts.tty === true;
  }

  push(chunk: Buffer): void {
    if (this.raw) {
      if (chunk.length > 0) this.onData('stdout', chunk);
      return;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const type = this.buf[0]!;
      if (type > 2 || this.buf[1] !== 0 || this.buf[2] !== 0 || this.buf[3] !== 0) {
        this.raw = true;
        const rest = this.buf;
        this.buf = Buffer.alloc(0);
        this.onData('stdout', rest);
        return;
      }
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) return;
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      // type 0 (stdin) only appears on TTY-less attach with stdin echoed; report it as stdout
      if (size > 0) this.onData(type === 2 ? 'stderr' : 'stdout', payload);
    }
  }

  /** End of stream: a leftover that is not a complete frame is passed through as stdout. */
  end(): void {
    if (this.buf.length > 0) {
      const rest = this.buf;
      this.buf = Buffer.alloc(0);
      if (this.raw || rest.length < 8) this.onData('stdout', rest);
      else this.onData('stdout', rest.subarray(8));
    }
  }
}

/** Demultiplexes into lines per stream (each stream keeps its own partial line). */
export class LogLineDemuxer {
  private readonly demux: FrameDemuxer;
  private readonly splitters: Record<StreamName, LineSplitter>;

  constructor(onLine: (line: LogLine) => void, opts: { tty?: boolean } = {}) {
    this.splitters = {
      stdout: new LineSplitter((text) => onLine({ stream: 'stdout', text })),
      stderr: new LineSplitter((text) => onLine({ stream: 'stderr', text })),
    };
    this.demux = new FrameDemuxer((stream, data) => this.splitters[stream].push(data), opts);
  }

  push(chunk: Buffer): void {
    this.demux.push(chunk);
  }

  end(): void {
    this.demux.end();
    this.splitters.stdout.flush();
    this.splitters.stderr.flush();
  }
}

/** Demultiplex a complete buffer into lines. */
export function demuxLines(buf: Buffer, opts: { tty?: boolean } = {}): LogLine[] {
  const lines: LogLine[] = [];
  const d = new LogLineDemuxer((l) => lines.push(l), opts);
  d.push(buf);
  d.end();
  return lines;
}

/** Encode one frame (tests and fakes). */
export function encodeFrame(stream: StreamName, data: string | Buffer): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(8);
  header.writeUInt8(stream === 'stderr' ? 2 : 1, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
