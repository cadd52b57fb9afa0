// Buffers of streamed log lines by subscription. Lines may arrive (over SSE) before the followLogs answer
// that names the subscription, so every subscription is buffered from its first line; only a few are kept.
import type { LogLineEvent } from '../../../main/shared/contract';

export interface LogBuffer {
  lines: LogLineEvent[];
  /** Lines dropped from the front to respect the cap. */
  dropped: number;
}

export class LogStore {
  private buffers = new Map<string, LogBuffer>();
  private listeners = new Set<() => void>();
  version = 0;

  constructor(
    private readonly maxLines = 5000,
    private readonly maxBuffers = 8,
  ) {}

  push(e: LogLineEvent): void {
    let b = this.buffers.get(e.subscription);
    if (!b) {
      b = { lines: [], dropped: 0 };
      this.buffers.set(e.subscription, b);
      while (this.buffers.size > this.maxBuffers) this.buffers.delete(this.buffers.keys().next().value as string);
    }
    // merged by Docker's timestamp: a line older than the last one (another service's tail) goes in its place
    let i = b.lines.length;
    if (e.time) while (i > 0 && (b.lines[i - 1]!.time ?? '') > e.time) i--;
    if (i === b.lines.length) b.lines.push(e);
    else b.lines.splice(i, 0, e);
    if (b.lines.length > this.maxLines) {
      const extra = b.lines.length - this.maxLines;
      b.lines.splice(0, extra);
      b.dropped += extra;
    }
    this.version++;
    for (const l of this.listeners) l();
  }

  get(subscription: string | null): LogBuffer {
    return (subscription && this.buffers.get(subscription)) || { lines: [], dropped: 0 };
  }

  drop(subscription: string): void {
    this.buffers.delete(subscription);
    this.version++;
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
