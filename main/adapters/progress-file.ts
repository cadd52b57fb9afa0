// The progress of an operation run by this process, appended as JSON lines to <home>/progress/<instance>.jsonl
// so that a dashboard started elsewhere shows it live (main/ui-backend/progress-relay.ts). Each operation starts
// a new file (written aside, then renamed over the old one: a new inode tells the reader to start over).
// Best effort: a file that cannot be written never fails the operation.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventSink, ProgressEvent } from '../core/events';
import type { GateReport } from '../shared/types';

export const PROGRESS_DIR = 'progress';

export interface ProgressLine {
  op: string;
  t: number;
  begin?: true;
  e?: ProgressEvent;
}

export function progressFile(home: string, instance: string): string {
  return join(home, PROGRESS_DIR, `${instance.replace(/[^\w.-]/g, '_')}.jsonl`);
}

export interface ProgressRecorder {
  emit: EventSink;
  /** The operation ended (ok / failed, with its gate report when it has one). */
  end(ok: boolean, message?: string, gate?: GateReport | null): void;
}

export function recordProgress(home: string, op: string, inner: EventSink, now: () => number = Date.now): ProgressRecorder {
  let file: string | null = null;
  let instance: string | undefined;
  const write = (l: ProgressLine) => {
    if (!file) return;
    try {
      appendFileSync(file, `${JSON.stringify(l)}\n`);
    } catch {
      file = null;
    }
  };
  return {
    emit(e) {
      inner(e);
      if (!file && e.instance && !instance) {
        instance = e.instance;
        try {
          const f = progressFile(home, e.instance);
          mkdirSync(join(home, PROGRESS_DIR), { recursive: true });
          writeFileSync(`${f}.tmp`, `${JSON.stringify({ op, t: now(), begin: true })}\n`);
          renameSync(`${f}.tmp`, f);
          file = f;
        } catch {
          file = null;
        }
      }
      write({ op, t: now(), e });
    },
    end(ok, message, gate) {
      const e: ProgressEvent = { type: 'end', instance, ok };
      if (message) e.message = message;
      if (gate !== undefined) e.gate = gate;
      write({ op, t: now(), e });
    },
  };
}
