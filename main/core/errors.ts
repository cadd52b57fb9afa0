// One error type for every expected failure, carrying the documented exit code.
// Exit codes: 0 ok, 1 usage/state error, 2 gate failed, 3 port conflict, 4 docker unavailable, 5 does not fit (capacity).
// The codes, exit numbers and the serialisable payload live in main/shared/errors.ts (the renderer reads them).
import { EXIT, type ErrorCode, type ErrorPayload } from '../shared/errors';

export { EXIT };
export type { ErrorCode, ErrorPayload };

const exitFor: Record<ErrorCode, number> = {
  USAGE: EXIT.error,
  STATE: EXIT.error,
  NOT_FOUND: EXIT.error,
  NOT_AN_INSTANCE: EXIT.error,
  REGISTRY_CORRUPT: EXIT.error,
  REGISTRY_LOCKED: EXIT.error,
  DIRTY_WORK: EXIT.error,
  GIT_FAILED: EXIT.error,
  COMPOSE_FAILED: EXIT.error,
  MANIFEST_INVALID: EXIT.error,
  NO_FREE_SLOT: EXIT.error,
  GATE_FAILED: EXIT.gate,
  PORT_CONFLICT: EXIT.ports,
  ENGINE_UNAVAILABLE: EXIT.engine,
  SECRETS_FAILED: EXIT.error,
  INSTANCE_BUSY: EXIT.error,
  CAPACITY: EXIT.capacity,
  INTERNAL: EXIT.error,
};

export class SandboxError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly opts: { hint?: string; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SandboxError';
    this.exitCode = exitFor[code];
  }
  get hint(): string | undefined {
    return this.opts.hint;
  }
  get details(): unknown {
    return this.opts.details;
  }
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof SandboxError) {
    const p: ErrorPayload = { code: err.code, message: err.message, exitCode: err.exitCode };
    if (err.hint) p.hint = err.hint;
    if (err.details !== undefined) p.details = err.details;
    return p;
  }
  const e = err as { code?: string; message?: string; name?: string };
  if (e && e.code === 'ENGINE_UNAVAILABLE') {
    return { code: 'ENGINE_UNAVAILABLE', message: e.message ?? 'Docker is not available', exitCode: EXIT.engine };
  }
  return { code: 'INTERNAL', message: e?.message ?? String(err), exitCode: EXIT.error };
}
