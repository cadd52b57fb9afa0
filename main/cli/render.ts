// Terminal rendering: step lines (✓/✗), URLs, and the --json envelope (tables: table.ts). No logic lives here.
import pc from './colors';
import type { ProgressEvent } from '../core/events';
import type { CheckResult, GateReport } from '../shared/types';
import { toErrorPayload } from '../core/errors';
import type { LiveProgress } from './live-progress';
import { writeStderr, writeStdout } from './stdio';

export const SCHEMA_VERSION = 1;

export interface Output {
  json: boolean;
  verbose: boolean;
  /** Writes a progress event: human line on stdout, or JSON line on stderr with --json. */
  event(e: ProgressEvent): void;
  line(text?: string): void;
  result(kind: string, data: object): void;
}

/**
 * The output of one command: with --json, JSON only (no live display); else human lines through the live
 * progress display (live-progress.ts, loaded by the caller only then: `--json` runs never load it).
 */
export function createOutput(opts: { json: boolean; verbose?: boolean }, live: LiveProgress | null): Output {
  const out: Output = {
    json: opts.json,
    verbose: !!opts.verbose,
    event(e) {
      if (opts.json) {
        writeStderr(`${JSON.stringify({ event: e.type, ...e })}\n`);
        return;
      }
      live?.event(e);
      const l = renderEvent(e, !!opts.verbose);
      // waiting for another operation's lock: a note for the person watching, not part of the output
      if (l !== null) {
        if (e.type === 'step' && e.id === 'lock') writeStderr(`${l}\n`);
        else live!.print(l);
      }
    },
    line(text = '') {
      if (!opts.json) live!.print(text);
    },
    result(kind, data) {
      if (opts.json) writeStdout(`${JSON.stringify({ schema: `ktrdr-sandbox/${kind}@${SCHEMA_VERSION}`, ok: true, ...data }, null, 2)}\n`);
    },
  };
  return out;
}

export function renderEvent(e: ProgressEvent, verbose: boolean): string | null {
  switch (e.type) {
    case 'end':
      return null;
    case 'step': {
      if (e.parent)
        return e.state === 'running'
          ? null
          : `    ${e.state === 'failed' ? pc.red('✗') : pc.green('✓')} ${e.label}${e.elapsedMs !== undefined && e.elapsedMs >= 1000 ? pc.dim(` (${(e.elapsedMs / 1000).toFixed(1)}s)`) : ''}`;
      switch (e.state) {
        case 'running':
          return null;
        case 'passed':
          return `  ${pc.green('✓')} ${e.label}`;
        case 'failed':
          return `  ${pc.red('✗')} ${e.label}${e.message ? pc.dim(` — ${firstLine(e.message)}`) : ''}`;
        case 'skipped':
          return `  ${pc.dim('○')} ${e.label}`;
        case 'warning':
          return `  ${pc.yellow('!')} ${e.label}`;
        case 'info':
          return `  ${pc.cyan('•')} ${e.label}`;
      }
      return null;
    }
    case 'output':
      return verbose ? pc.dim(`    ${e.source}| ${e.line}`) : null;
    case 'gate-start':
      return `  Startability Gate: ${e.checks.length} checks, deadline ${Math.round(e.timeoutMs / 1000)}s`;
    case 'gate-check':
      return e.check.state === 'pending' ? null : checkLine(e.check);
  }
}

export function checkLine(c: CheckResult): string {
  const t = pc.dim(`(${(c.elapsedMs / 1000).toFixed(1)}s)`);
  if (c.state === 'passed') return `    ${pc.green('✓')} ${c.label} ${t}`;
  if (c.state === 'skipped') return `    ${pc.dim('○')} ${c.label} ${pc.dim(c.message)}`;
  if (c.state === 'failed') return `    ${pc.red('✗')} ${c.label} ${t}\n      ${pc.red('→')} ${c.message}`;
  return `    … ${c.label}`;
}

export function gateVerdict(r: GateReport): string[] {
  const lines: string[] = [];
  if (r.passed) {
    lines.push('', `${pc.bold('Startability Gate:')} ${pc.green(pc.bold('PASSED'))} ${pc.dim(`in ${(r.elapsedMs / 1000).toFixed(1)}s`)}`);
    return lines;
  }
  lines.push('', `${pc.bold('Startability Gate:')} ${pc.red(pc.bold('FAILED'))} ${pc.dim(`after ${(r.elapsedMs / 1000).toFixed(1)}s`)}`);
  for (const c of r.checks.filter((x) => x.state === 'failed')) {
    lines.push(`  ${pc.red('✗')} ${c.label}: ${c.message}`);
    if (c.failure?.exitCode !== undefined && !c.message.includes(`code ${c.failure.exitCode}`))
      lines.push(pc.dim(`      exit code ${c.failure.exitCode}`));
    for (const d of c.details ?? []) lines.push(pc.dim(`      ${d}`));
  }
  for (const [svc, tail] of Object.entries(r.logTails)) {
    lines.push('', pc.bold(`Last ${tail.length} log lines of ${svc}:`));
    for (const l of tail) lines.push(pc.dim(`  ${svc} | `) + l);
  }
  // per failed check (its service's exit code, hint), then the report's recognised signatures, each once
  const fixes = [...r.checks.flatMap((c) => (c.state === 'failed' && c.failure?.hint ? [c.failure.hint] : [])), ...(r.hints ?? [])];
  for (const h of [...new Set(fixes)]) lines.push('', `${pc.yellow('Fix:')} ${h}`);
  lines.push('', pc.dim('Containers are left running for inspection: `ktrdr-sandbox status`, `ktrdr-sandbox logs SERVICE`.'));
  return lines;
}

/** "  Label:  value" lines, the values aligned after the longest label (links named in a manifest can be long). */
export function labelled(rows: Array<[label: string, value: string]>, indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, v]) => `${indent}${`${l}:`.padEnd(width)}${v}`);
}

/**
 * An error as the user sees it: ONE line and an optional hint on stderr (or the error JSON document on stdout
 * with --json). An unexpected error (INTERNAL) shows its first line and how to see more; its stack only with
 * --verbose or KTRDR_SANDBOX_DEBUG.
 */
export function renderError(err: unknown, json: boolean, verbose = false): number {
  const p = toErrorPayload(err);
  const debug = verbose || !!process.env.KTRDR_SANDBOX_DEBUG;
  if (p.code === 'INTERNAL') {
    p.message = firstLine(p.message).trim() || 'Unexpected error';
    if (!p.hint)
      p.hint = debug ? 'This is a bug: please report it with the output above.' : 'Run the command again with --verbose for details.';
  }
  if (json) {
    writeStdout(`${JSON.stringify({ schema: `ktrdr-sandbox/error@${SCHEMA_VERSION}`, ok: false, error: p }, null, 2)}\n`);
    if (p.code === 'INTERNAL' && debug) writeStderr(`${(err as Error)?.stack ?? String(err)}\n`);
  } else {
    writeStderr(`${pc.red('Error:')} ${p.message}\n`);
    if (p.hint) writeStderr(`${pc.dim('Hint:')} ${p.hint}\n`);
    if (p.code === 'INTERNAL' && debug) writeStderr(`${(err as Error)?.stack ?? String(err)}\n`);
  }
  return p.exitCode;
}

export function statusColour(s: string): string {
  if (s === 'running') return pc.green(s);
  if (s.startsWith('partial')) return pc.yellow(s);
  if (s === 'missing') return pc.red(s);
  return pc.dim(s);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
