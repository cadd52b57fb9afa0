// What `doctor` says about shared networks: the risk (compose gives every service its name as a DNS alias on
// every network it joins, so two instances on one external network answer to the same names and cross-wire),
// and whether the per-instance override prevents it (isolation on) or not (`isolation: off`, `up --no-isolate`).
import type { DoctorCheck } from '../compose-lint';
import type { Files } from '../deps';
import type { Manifest } from '../manifest-schema';
import type { ComposeModel } from '../../shared/types';
import { isolatedNetworkName, sharedNetworks } from './isolation';
import { isolationFor, manifestIsolation } from './state';

export function isolationDoctor(
  model: ComposeModel,
  manifest: Manifest,
  deps: { files: Files; home: string },
  id: string | null,
): DoctorCheck[] {
  if (!sharedNetworks(model).length) return [];
  return isolationChecks(model, id ? isolationFor(deps.home, id, manifest, undefined, deps.files) : manifestIsolation(manifest), id);
}

/** The same, pure: `on` is the instance's isolation decision (isolationFor). */
export function isolationChecks(model: ComposeModel, on: boolean, id: string | null): DoctorCheck[] {
  const shared = sharedNetworks(model);
  return shared.map((n): DoctorCheck => {
    const what = `${n.services.join(', ')} join${n.services.length === 1 ? 's' : ''} the ${n.external ? 'external' : 'fixed-name'} network "${n.name}", which other instances and stacks join too: there, every service answers to its name for all of them`;
    if (on) {
      return {
        name: `isolation-${n.key}`,
        level: 'ok',
        message: `${what}. Isolation is on: each instance gets its own copy (${isolatedNetworkName(id ?? '<instance>', n.name)}), with the shared stack's containers connected to it by name`,
      };
    }
    return {
      name: `isolation-${n.key}`,
      level: 'warning',
      message: `${what}. Isolation is OFF: two instances cross-wire (workers of one register with the other's backend); the gate's isolation check fails when that happens`,
      fix: 'remove `isolation: off` from ktrdr-sandbox.yml and run `ktrdr-sandbox up` (without --no-isolate)',
    };
  });
}
