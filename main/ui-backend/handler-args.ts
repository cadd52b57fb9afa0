// Argument checks of the contract's handlers: the HTTP transport hands them whatever a client sent, so every
// argument is checked here before any use-case runs (numbers and names through core/validate.ts).
import { SandboxError } from '../core/errors';
import { parseTail } from '../core/validate';

export const DEFAULT_LOG_TAIL = 200;
const MAX_LOG_TAIL = 5000;

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1000) throw new SandboxError('USAGE', `${what} must be a non-empty string`);
  return v;
}

export function optObj(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new SandboxError('USAGE', `${what} must be an object`);
  return v as Record<string, unknown>;
}

export function optBool(v: unknown, what: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new SandboxError('USAGE', `${what} must be true or false`);
  return v;
}

export function optTail(v: unknown): number {
  if (v === undefined) return DEFAULT_LOG_TAIL;
  return Math.min(parseTail(v, 'tail'), MAX_LOG_TAIL);
}
