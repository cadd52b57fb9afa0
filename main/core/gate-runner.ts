// What the gate's loop (gate.ts) and its check runners (gate-checks.ts, gate-containers.ts) share.
import type { Clock, Engine, Http, Tcp } from './deps';
import type { Fault } from './gate-faults';
import type { Manifest } from './manifest-schema';
import type { GateEvent } from '../shared/events';
import type { ComposeHealthcheck, ContainerInfo } from '../shared/types';

/** What a gate run is given (gate.ts runGate). */
export interface GateInput {
  instanceId: string;
  project: string;
  manifest: Manifest;
  vars: Record<string, string>;
  /** Services a plain `up` starts, and which of them publish host ports (from the compose model). */
  services: string[];
  publishing: string[];
  /** Names this project's services answer to (service names, aliases): the isolation check. */
  names?: string[];
  /**
   * The services' compose healthchecks (compose model). The gate runs a service's own healthcheck to know it
   * is ready before Docker's next interval; it asks the engine for the container's real one first, and uses
   * these (interpolated with `vars`) when the engine cannot say.
   */
  healthchecks?: Record<string, ComposeHealthcheck>;
  timeoutMs?: number;
  deps: { engine: Engine; http: Http; clock: Clock; tcp: Tcp };
  onEvent?: (e: GateEvent) => void;
  /** Aborting stops every check at once (a Start cancelled from the dashboard); the report says so. */
  signal?: AbortSignal;
}

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
