// What an error looks like on the wire (--json output, the IPC/HTTP envelope) and the documented exit codes.
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

/** Serialisable form used by --json output and the IPC/HTTP envelope. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: unknown;
  exitCode: number;
}
