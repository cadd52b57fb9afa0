// Progress events emitted by use-cases. The CLI renders them as ✓/✗ lines or JSON lines, the Electron shell
// forwards them over IPC, the dashboard server over SSE: one stream, three renderers. The event shapes live in
// main/shared/events.ts (the renderer reads them); the helpers to emit them stay here.
import type { ProgressEvent } from '../shared/events';

export type { EndEvent, GateEvent, OutputEvent, ProgressEvent, StepEvent, StepState } from '../shared/events';

export type EventSink = (e: ProgressEvent) => void;

export const noEvents: EventSink = () => undefined;

/** Helper: run fn as a named step, emitting running → passed/failed. */
export async function step<T>(emit: EventSink, instance: string | undefined, id: string, label: string, fn: () => Promise<T>): Promise<T> {
  emit({ type: 'step', instance, id, label, state: 'running' });
  try {
    const v = await fn();
    emit({ type: 'step', instance, id, label, state: 'passed' });
    return v;
  } catch (err) {
    emit({ type: 'step', instance, id, label, state: 'failed', message: (err as Error).message });
    throw err;
  }
}
