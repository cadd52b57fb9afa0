// The contract's handlers of the shared data overlay (issue 14, item 4): `sharedReset` (`shared reset`) and
// `sharedOverlay` (`shared overlay ID on|off`), and the Create dialog's choice. No logic of their own: arguments
// checked, then the core use-cases, through the same busy marking and instance lock as every other operation.
import { SandboxError } from '../core/errors';
import type { EventSink } from '../core/events';
import { resetOverlay } from '../core/use-cases/shared-overlay';
import { overlayRequest, setSharedOverlay, type OverlayRequest } from '../core/use-cases/shared-overlay-choice';
import type { Handlers } from './types';
import { optBool, optObj, str } from './handler-args';

/** handlers.ts's operation(): busy mark, progress as `<op>:<id>`, the instance lock, a state refresh. */
export type Operation = <T>(op: string, busyLabel: string, idArg: unknown, fn: (id: string, emit: EventSink) => Promise<T>) => Promise<T>;

/** A list of shared folder names, or undefined. */
export function optFolders(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 50) throw new SandboxError('USAGE', `${what} must be a list of shared folder names`);
  return v.map((f) => str(f, `${what} entry`));
}

/** The create input's `sharedOverlay` (true: every shared folder through an overlay, false: read-write) as create's option. */
export function createOverlayOption(v: unknown): { sharedOverlay?: OverlayRequest } {
  return overlayRequest(optBool(v, 'sharedOverlay'));
}

export function sharedDataHandlers(
  deps: Parameters<typeof resetOverlay>[0],
  operation: Operation,
): Pick<Handlers, 'sharedReset' | 'sharedOverlay'> {
  return {
    async sharedReset(id, opts) {
      const folders = optFolders(optObj(opts, 'options').folders, 'folders');
      return operation('shared-reset', 'resetting shared data', id, (i, emit) =>
        resetOverlay(deps, { id: i }, folders ? { folders } : {}, emit),
      );
    },

    async sharedOverlay(id, choice) {
      const o = optObj(choice, 'choice');
      const on = optBool(o.on, 'on');
      if (on === undefined) throw new SandboxError('USAGE', 'choice.on must be true or false');
      const folders = optFolders(o.folders, 'folders');
      if (!on && folders?.length) throw new SandboxError('USAGE', 'choice.folders goes with on: true only');
      const req: OverlayRequest = on ? { on: true, ...(folders?.length ? { folders } : {}) } : { on: false };
      return operation('shared-overlay', 'switching shared data', id, (i, emit) => setSharedOverlay(deps, { id: i }, req, emit));
    },
  };
}
