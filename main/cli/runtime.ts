// What every command needs: the core's dependencies (built lazily), the cwd, and an output sink.
import type { Command } from './args/command';
import { createDeps } from '../adapters';
import type { Deps } from '../core/deps';
import type { InstanceRef } from '../core/resolve';
import { SandboxError } from '../core/errors';
import { parseInteger, PORT_RULE, SLOT_RULE, TAIL_RULE, TIMEOUT_RULE } from '../core/validate';
import { createOutput, renderError, type Output } from './render';
import { writeStdout } from './stdio';

export interface Runtime {
  deps(): Deps;
  cwd: string;
}

export function createRuntime(): Runtime {
  let deps: Deps | undefined;
  return {
    deps: () => (deps ??= createDeps()),
    // Read lazily: after `destroy` the shell may sit in a directory that no longer exists, and commands that
    // do not need it (list, destroy ID, …) must still work.
    get cwd(): string {
      try {
        return process.cwd();
      } catch {
        throw new SandboxError('STATE', 'The current directory no longer exists (was its instance destroyed?)', {
          hint: 'cd to an existing directory, or pass the instance id.',
        });
      }
    },
  };
}

export interface CommonOptions {
  json?: boolean;
  verbose?: boolean;
}

/** Wrap a command body: one output object, errors rendered with their documented exit code. */
export async function runCommand(opts: CommonOptions, body: (out: Output) => Promise<number | void>): Promise<void> {
  const json = !!opts.json;
  const verbose = !!opts.verbose;
  // the live progress display only where one is drawn (not with --json)
  const live = json
    ? null
    : (await import('./live-progress')).createLiveProgress({
        tty: () => process.stdout.isTTY === true,
        verbose,
        write: (s) => writeStdout(s),
      });
  const out = createOutput({ json, verbose }, live);
  try {
    const code = await body(out);
    process.exitCode = code ?? 0;
  } catch (err) {
    process.exitCode = renderError(err, !!opts.json, !!opts.verbose);
  }
}

export function refFrom(rt: Runtime, id: string | undefined): InstanceRef {
  return id ? { id } : { cwd: rt.cwd };
}

export function addCommon(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output (see README: JSON schemas)').option('--verbose', 'show compose output');
}

const INT_RULES = {
  '--slot': SLOT_RULE,
  slot: { ...SLOT_RULE, name: 'slot' },
  '--timeout': TIMEOUT_RULE,
  '--tail': TAIL_RULE,
  '--port': PORT_RULE,
} as const;

/**
 * An option-argument parser (main/cli/args), with the strict rules of core/validate.ts ("1.5", "1e1", "0x3",
 * "", " 3", out-of-range values are refused). The USAGE error it throws ends the parse before any command
 * body runs; runProgram renders it (one line, or the error JSON with --json).
 */
export function parseIntOption(name: keyof typeof INT_RULES) {
  return (v: string): number => parseInteger(v, INT_RULES[name]);
}
