// Newline-delimited JSON from a byte stream (docker events). Chunks may split or join objects.
import { LineSplitter } from './demux';

export class JsonLineParser {
  private readonly lines: LineSplitter;

  constructor(onValue: (value: unknown) => void, onBadLine?: (line: string) => void) {
    this.lines = new LineSplitter((line) => {
      const t = line.trim();
      if (t === '') return;
      let value: unknown;
      try {
        value = JSON.parse(t) as unknown;
      } catch {
        onBadLine?.(t);
        return;
      }
      onValue(value);
    });
  }

  push(chunk: Buffer | string): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.flush();
  }
}
