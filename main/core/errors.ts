// One error type for every expected failure, carrying the documented exit code.
// Exit codes: 0 ok, 1 usage/state error, 2 gate failed, 3 port conflict, 4 docker unavailable, 5 does not fit (capacity).

export type ErrorCode =
  | 'USAGE'
  | 'STATE'
  | 'NOT_FOUND'
  | 'NOT_AN_INSTANCE'
  | 'REGISTRY_CORRUPT'
  | 'REGISTRY_LOCKED'
  | 'DIRTY_WORK'
  | 'GIT_FAILED'
  | 'COMPOSE_FAILED'
  | 'MANIFEST_INVALID'
  | 'NO_FREE_SLOT'
  | 'GATE_FAILED'
  | 'PORT_CONFLICT'
  | 'ENGINE_UNAVAILABLE'
  | 'SECRETS_FAILED'
  | 'INSTANCE_BUSY'
  | 'CAPACITY'
  | 'INTERNAL';

export const EXIT = { ok: 0, error: 1, gate: 2, ports: 3, engine: 4, capacity: 5 } as const;

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

/** Serialisable form used by --json output and the IPC/HTTP envelope. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: unknown;
  exitCode: number;
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
