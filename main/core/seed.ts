// The manifest's seed step (gate.seed) as one more gate check: an exec in a service, run once after the
// migrations check, on an empty database. With `unless`, a database that already holds the data (restored
// from a snapshot) skips it. A pure transform of the manifest, so the gate itself (main/core/gate.ts) does not
// change: the check is an ordinary exec check with retry: false (its failure fails the gate with its output).
import type { GateCheckSpec, Manifest } from './manifest-schema';

export const SEED_CHECK = 'seed';
/** Printed by the check when `unless` says the data is already there. */
export const SEED_SKIPPED = 'seed data already present: skipped';

/** POSIX single-quoting of one argument. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command the check runs in the container: the seed alone, or `unless || seed` through sh. */
export function seedCommand(seed: { command: string[]; unless?: string[] }): string[] {
  if (!seed.unless) return seed.command;
  const unless = seed.unless.map(shellQuote).join(' ');
  const run = seed.command.map(shellQuote).join(' ');
  return ['sh', '-c', `if ${unless} >/dev/null 2>&1; then echo ${shellQuote(SEED_SKIPPED)}; else ${run}; fi`];
}

/** The manifest with gate.seed appended to the gate checks (unchanged when there is no seed step). */
export function withSeedCheck(manifest: Manifest): Manifest {
  const seed = manifest.gate.seed;
  if (!seed || manifest.gate.checks.some((c) => c.name === SEED_CHECK)) return manifest;
  const names = new Set(manifest.gate.checks.map((c) => c.name));
  const check: GateCheckSpec = {
    name: SEED_CHECK,
    label: 'Seed data',
    exec: { service: seed.service, command: seedCommand(seed) },
    retry: false,
    dependsOn: seed.dependsOn.filter((d) => names.has(d)),
    timeout: seed.timeout,
  };
  return { ...manifest, gate: { ...manifest.gate, checks: [...manifest.gate.checks, check] } };
}
