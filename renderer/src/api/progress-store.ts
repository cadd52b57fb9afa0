// Pure bookkeeping of `progress` events: per target (instance id, or the name being created) the latest
// operation with its steps, its live gate checks and its outcome. The UI renders this; tests feed it events.
import type { EventMap } from '../../../main/shared/contract';
import type { ErrorPayload } from '../../../main/shared/errors';
import type { CheckResult, GateReport } from '../../../main/shared/types';

export type StepState = 'running' | 'passed' | 'failed' | 'skipped' | 'info' | 'warning';

export interface StepView {
  id: string;
  label: string;
  state: StepState;
  message?: string;
  /** The step this one is part of (compose's own progress inside "compose up -d"). */
  parent?: string;
  /** Date.now() when it was first seen running, and how long it took once it ended. */
  startedAt: number;
  elapsedMs?: number;
}

export interface GateProgress {
  checks: CheckResult[];
  timeoutMs: number;
  /** Date.now() when the gate started (for the elapsed clock). */
  startedAt: number;
}

export interface OperationView {
  operation: string;
  kind: string;
  target: string;
  steps: StepView[];
  gate: GateProgress | null;
  output: string[];
  finished: boolean;
  error?: ErrorPayload;
  /** The full gate report, once the operation answered with one (what failed, log tails, hints). */
  report?: GateReport | null;
}

export type ProgressState = Readonly<Record<string, OperationView>>;

const MAX_OUTPUT = 60;

export function splitOperation(operation: string): { kind: string; target: string } {
  const i = operation.indexOf(':');
  return i < 0 ? { kind: operation, target: '' } : { kind: operation.slice(0, i), target: operation.slice(i + 1) };
}

function fresh(operation: string): OperationView {
  const { kind, target } = splitOperation(operation);
  return { operation, kind, target, steps: [], gate: null, output: [], finished: false };
}

/** Start (or restart) the record of an operation, dropping whatever the target showed before. */
export function beginOperation(state: ProgressState, operation: string): ProgressState {
  const op = fresh(operation);
  return { ...state, [op.target]: op };
}

export function applyProgress(state: ProgressState, e: EventMap['progress'], now = Date.now()): ProgressState {
  const { target } = splitOperation(e.operation);
  let op = state[target];
  const restart = e.type === 'step' && e.id === 'engine' && e.state === 'running' && op?.finished;
  if (!op || op.operation !== e.operation || restart) op = fresh(e.operation);
  else op = { ...op };
  switch (e.type) {
    case 'step': {
      const i = op.steps.findIndex((x) => x.id === e.id);
      const prev = i < 0 ? undefined : op.steps[i];
      const s: StepView = { id: e.id, label: e.label, state: e.state, startedAt: prev?.startedAt ?? now };
      if (e.message) s.message = e.message;
      if (e.parent) s.parent = e.parent;
      if (e.state !== 'running') s.elapsedMs = e.elapsedMs ?? now - s.startedAt;
      op.steps = i < 0 ? [...op.steps, s] : op.steps.map((x, j) => (j === i ? s : x));
      break;
    }
    case 'output':
      op.output = [...op.output, e.line].slice(-MAX_OUTPUT);
      break;
    case 'gate-start':
      op.gate = { checks: e.checks.map((c) => ({ ...c })), timeoutMs: e.timeoutMs, startedAt: now };
      break;
    case 'gate-check': {
      const gate = op.gate ?? { checks: [], timeoutMs: 0, startedAt: now };
      const i = gate.checks.findIndex((c) => c.name === e.check.name);
      const checks = i < 0 ? [...gate.checks, e.check] : gate.checks.map((c, j) => (j === i ? e.check : c));
      op.gate = { ...gate, checks };
      break;
    }
    case 'end':
      // an operation another process ran (the CLI's progress file) ended
      op.finished = true;
      if (e.gate !== undefined) op.report = e.gate;
      if (!e.ok && !e.gate) op.error = { code: 'STATE', message: e.message ?? `${op.kind} failed`, exitCode: 1 };
      break;
  }
  return { ...state, [target]: op };
}

export function finishOperation(state: ProgressState, operation: string, error?: ErrorPayload): ProgressState {
  const { target } = splitOperation(operation);
  const op = state[target];
  if (!op || op.operation !== operation) return state;
  const done: OperationView = { ...op, finished: true };
  if (error) done.error = error;
  return { ...state, [target]: done };
}

/** Attach the operation's gate report (the answer of up / restart / gate). */
export function attachReport(state: ProgressState, operation: string, report: GateReport | null): ProgressState {
  const { target } = splitOperation(operation);
  const op = state[target];
  if (!op || op.operation !== operation) return state;
  return { ...state, [target]: { ...op, report } };
}

/** Forget a target's operation (only `operation`, and only once finished, when that is given). */
export function dismissOperation(state: ProgressState, target: string, operation?: string): ProgressState {
  const op = state[target];
  if (!op) return state;
  if (operation !== undefined && (op.operation !== operation || !op.finished)) return state;
  const next = { ...state };
  delete next[target];
  return next;
}

export type Verdict = 'running' | 'passed' | 'failed';

/** The gate's verdict from its checks: any failure fails it; every check settled without failure passes it. */
export function gateVerdict(gate: Pick<GateProgress, 'checks'>): Verdict {
  if (gate.checks.some((c) => c.state === 'failed')) return 'failed';
  if (gate.checks.length && gate.checks.every((c) => c.state !== 'pending')) return 'passed';
  return 'running';
}
