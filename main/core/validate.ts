// Strict input, one set of rules for every surface: CLI options and arguments (main/cli/commands) and the
// dashboard/IPC arguments (main/ui-backend/handlers.ts). Pure: no I/O. Every refusal is a USAGE error (exit 1)
// with a one-line message naming the value and a hint saying what is accepted.
import { SandboxError } from './errors';
import { MAX_SLOT, MIN_SLOT } from '../shared/types';

export interface IntRule {
  /** What the value is called in messages: "--slot", "slot", "--timeout". */
  name: string;
  min: number;
  max: number;
  /** Unit shown in messages ("seconds"). */
  unit?: string;
}

/** How a value is shown in a one-line message: quoted, control characters escaped, long values cut. */
export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  const cut = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  return typeof v === 'string' ? JSON.stringify(cut) : cut;
}

function rangeText(r: IntRule): string {
  return `an integer from ${r.min} to ${r.max}${r.unit ? ` (${r.unit})` : ''}`;
}

/**
 * An integer written in plain decimal digits (a "-" only where the range allows negatives). Refused: "", " 3",
 * "3 ", "1.5", "1e1", "0x3", "+3", "abc", out-of-range values. A JSON number (dashboard API) must be a safe
 * integer in range.
 */
export function parseInteger(raw: unknown, rule: IntRule): number {
  const fail = (why: string): never => {
    throw new SandboxError('USAGE', `${rule.name} must be ${rangeText(rule)}, got ${shown(raw)}${why ? ` (${why})` : ''}`, {
      hint: `Pass ${rule.name} as plain decimal digits, e.g. ${rule.name.startsWith('-') ? `${rule.name} ` : ''}${Math.max(rule.min, Math.min(rule.max, 1))}.`,
    });
  };
  let n: number;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) fail('not an integer');
    n = raw;
  } else if (typeof raw === 'string') {
    const pattern = rule.min < 0 ? /^-?[0-9]{1,15}$/ : /^[0-9]{1,15}$/;
    if (!pattern.test(raw))
      fail(raw.startsWith('-') && /^-[0-9]+$/.test(raw) ? 'negative' : raw.length > 15 && /^[0-9]+$/.test(raw) ? 'too large' : '');
    n = Number(raw);
  } else {
    return fail('not a number');
  }
  if (n < rule.min) fail('too small');
  if (n > rule.max) fail('too large');
  return n;
}

export const SLOT_RULE: IntRule = { name: '--slot', min: MIN_SLOT, max: MAX_SLOT };
/** Gate deadlines: at least a second (0 used to mean "the default" silently), at most a day. */
export const TIMEOUT_RULE: IntRule = { name: '--timeout', min: 1, max: 86_400, unit: 'seconds' };
export const TAIL_RULE: IntRule = { name: '--tail', min: 0, max: 100_000 };
export const PORT_RULE: IntRule = { name: '--port', min: 0, max: 65_535 };

export function parseSlot(raw: unknown, name = '--slot'): number {
  return parseInteger(raw, { ...SLOT_RULE, name });
}

/** Gate deadline in seconds, returned in milliseconds. */
export function parseTimeoutMs(raw: unknown, name = '--timeout'): number {
  return parseInteger(raw, { ...TIMEOUT_RULE, name }) * 1000;
}

export function parseTail(raw: unknown, name = '--tail'): number {
  return parseInteger(raw, { ...TAIL_RULE, name });
}

export function parsePort(raw: unknown, name = '--port'): number {
  return parseInteger(raw, { ...PORT_RULE, name });
}

/** parse(raw) when raw is given (not undefined/null), else undefined. */
export function optional<T>(raw: unknown, parse: (v: unknown) => T): T | undefined {
  return raw === undefined || raw === null ? undefined : parse(raw);
}

/**
 * Why git would refuse `name` as a branch (the rules of `git check-ref-format --branch`), or null when it is
 * valid. Checked before anything is reserved, so git never sees a bad name, nor a name starting with "-"
 * that it would read as an option.
 */
export function refNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 200) return 'it is longer than 200 characters';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name === 'HEAD' || name === '@') return `"${name}" is reserved by git`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(name)) return 'it contains a space or a control character';
  const bad = /[~^:?*[\\]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.startsWith('/') || name.endsWith('/')) return 'it starts or ends with "/"';
  if (name.includes('//')) return 'it contains "//"';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'a part starts with "."';
    if (part.endsWith('.lock')) return 'a part ends with ".lock"';
  }
  return null;
}

/** A branch name given with --branch (or the dashboard's branch field): git's rules, any case. */
export function validateBranchName(name: unknown, what = 'branch'): string {
  if (typeof name !== 'string') throw new SandboxError('USAGE', `The ${what} name must be a string, got ${shown(name)}`);
  const problem = refNameProblem(name);
  if (problem) {
    throw new SandboxError('USAGE', `Invalid ${what} name ${shown(name)}: ${problem}`, {
      hint: 'Use a name git accepts (`git check-ref-format --branch NAME`), e.g. feat/login.',
    });
  }
  return name;
}
