// What the gate's loop (gate.ts) and its check runners (gate-checks.ts, gate-containers.ts) share.
import type { Fault } from './gate-faults';
import type { ContainerInfo } from './types';

export type Attempt =
  | { ok: true; message: string; details?: string[] }
  /** notReady: the check could not even be tried (no container yet): retried even when retry is false. */
  | {
      ok: false;
      message: string;
      final?: boolean;
      notReady?: boolean;
      details?: string[];
      services?: string[];
      /** exit code of an exec check's command */
      exitCode?: number;
      /** a service is down for good: the gate fails, blamed on the check that owns that service */
      fault?: Fault;
    };

export interface Runner {
  spec: { name: string; label: string; dependsOn: string[]; retry: boolean; services: string[]; watch?: boolean };
  /** Pause between the end of one attempt and the start of the next. */
  intervalMs: number;
  attempt(signalMs: number): Promise<Attempt>;
}

/** A container listing no older than maxAgeMs (the pending call counts: concurrent callers share it). */
export type Containers = (maxAgeMs?: number) => Promise<ContainerInfo[]>;

export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}
