// The compose lint of one instance, as `up` runs it before starting (pure): the multi-instance findings of
// compose-lint.ts, then what isolation means for its shared networks. `doctor` lists the same findings, with the
// environment's checks and the external networks/volumes (use-cases/doctor.ts).
import { lintCompose, type DoctorCheck, type Env } from './compose-lint';
import type { ComposeModel } from './compose-model';
import { isolationChecks } from './override/doctor';
import type { LoadedInstance } from './resolve';

export interface InstanceLintInput {
  model: ComposeModel;
  /** The compose files' texts (composeTexts): defaults of ${VAR:-x} and the offending lines. */
  texts: string[];
  /** The environment compose runs with. */
  env: Env;
  /** The instance's isolation decision (isolationFor). */
  isolation: boolean;
}

/** Every finding, "ok" ones included (isolation on): the caller keeps what it reports. */
export function lintInstanceCompose(ctx: LoadedInstance, input: InstanceLintInput): DoctorCheck[] {
  return [
    ...lintCompose(input.model, ctx.manifest, ctx.vars, input.env, { texts: input.texts }),
    ...isolationChecks(input.model, input.isolation, ctx.rec.id),
  ];
}
