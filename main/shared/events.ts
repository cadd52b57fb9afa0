// Progress events emitted by use-cases. The CLI renders them as ✓/✗ lines or JSON lines, the Electron shell
// forwards them over IPC, the dashboard server over SSE: one stream, three renderers.
import type { CheckResult, GateReport } from './types';

export type StepState = 'running' | 'passed' | 'failed' | 'skipped' | 'info' | 'warning';

export type StepEvent = {
  type: 'step';
  instance?: string;
  id: string;
  label: string;
  state: StepState;
  message?: string;
  /** A sub-step of this step (e.g. compose's "Creating backend" inside "compose up -d"). */
  parent?: string;
  /** ms since the sub-step started (set on its end: compose's own progress). */
  elapsedMs?: number;
};

export type OutputEvent = { type: 'output'; instance?: string; source: string; line: string };

/** The end of an operation seen from outside the process that ran it (the progress file: CLI → dashboard). */
export type EndEvent = { type: 'end'; instance?: string; ok: boolean; message?: string; gate?: GateReport | null };

export type GateEvent = { type: 'gate-start'; checks: CheckResult[]; timeoutMs: number } | { type: 'gate-check'; check: CheckResult };

export type ProgressEvent = StepEvent | OutputEvent | EndEvent | (GateEvent & { instance?: string });
