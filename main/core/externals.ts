// External networks and volumes (declared `external: true` in the compose file): compose refuses to start
// without them, after it has already created the project's own network. So `up` checks them first and stops
// before compose, naming each missing one; `up --create-externals` (or `doctor --fix`) creates them. What we
// create is labelled role=external and belongs to the user from then on: `down`/`destroy` never remove it
// (other stacks, such as a shared observability stack, may use it too).
import type { Engine } from './deps';
import { SandboxError } from './errors';
import { LABEL_ROLE } from './labels';
import type { ComposeModel } from '../shared/types';

export const EXTERNAL_ROLE = 'external';
/** Labels on the externals we create: whose they are (the user's: never removed by us), and why they exist. */
export const EXTERNAL_LABELS: Record<string, string> = { [LABEL_ROLE]: EXTERNAL_ROLE };

export interface ExternalRef {
  kind: 'network' | 'volume';
  name: string;
}

export function externalsOf(model: ComposeModel): ExternalRef[] {
  return [
    ...model.externalNetworks.map((name): ExternalRef => ({ kind: 'network', name })),
    ...model.externalVolumes.map((name): ExternalRef => ({ kind: 'volume', name })),
  ];
}

/** The externals of the model that do not exist (one engine call each, all at once). */
export async function missingExternals(engine: Engine, model: ComposeModel): Promise<ExternalRef[]> {
  const refs = externalsOf(model);
  const exists = await Promise.all(refs.map((r) => (r.kind === 'network' ? engine.networkExists(r.name) : engine.volumeExists(r.name))));
  return refs.filter((_, i) => !exists[i]);
}

export function describeExternals(refs: ExternalRef[]): string {
  return refs.map((r) => `${r.kind} "${r.name}"`).join(', ');
}

export function missingExternalsError(refs: ExternalRef[]): SandboxError {
  const what =
    refs.length === 1 ? `External ${describeExternals(refs)} does not exist` : `External ${describeExternals(refs)} do not exist`;
  return new SandboxError('STATE', `${what}: compose would fail on ${refs.length === 1 ? 'it' : 'them'}, so nothing was started`, {
    hint:
      'Start the stack that owns it, or create it: `ktrdr-sandbox up --create-externals` (or `ktrdr-sandbox doctor --fix`). ' +
      'What is created is yours to keep: `down` and `destroy` never remove it.',
  });
}

/** Create each missing external, labelled as ours-for-the-user; stops at the first failure (naming it). */
export async function createExternals(engine: Engine, refs: ExternalRef[]): Promise<void> {
  for (const r of refs) {
    try {
      if (r.kind === 'network') await engine.createNetwork(r.name, EXTERNAL_LABELS);
      else await engine.createVolume(r.name, EXTERNAL_LABELS);
    } catch (err) {
      throw new SandboxError('STATE', `Could not create external ${r.kind} "${r.name}": ${(err as Error).message.split('\n')[0]}`, {
        hint: `Create it yourself: \`docker ${r.kind} create ${r.name}\``,
      });
    }
  }
}
