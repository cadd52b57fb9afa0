// Isolation on shared networks (issue 10): compose gives every service its name as a DNS alias on every network
// it joins, so two instances on one external network answer to the same names and cross-wire. The override
// maps each shared network (external, or with a fixed `name:`) to a network of this instance alone, created
// by compose and labelled; the external stack's containers the instance talks to (a shared collector) are then
// connected to it under their own names (up does that, main/core/use-cases/isolation-links.ts).
import { LABEL_ROLE } from '../labels';
import type { ComposeModel } from '../../shared/types';
import { ownershipLabels } from './labels';
import type { Contribution, OverrideDoc } from './types';

export const ISOLATION_ROLE = 'isolation';
/** On a per-instance network: the shared network it stands in for. */
export const LABEL_SHARED = 'dev.ktrdr-sandbox.shared-network';

export interface SharedNetwork {
  /** Key in the compose file. */
  key: string;
  /** The engine name every instance would join. */
  name: string;
  external: boolean;
  /** Services joining it. */
  services: string[];
}

/** Networks whose engine name does not depend on the project: every instance (and other stacks) would share them. */
export function sharedNetworks(model: ComposeModel): SharedNetwork[] {
  const out: SharedNetwork[] = [];
  for (const res of Object.values(model.networks ?? {})) {
    if (!res.external && res.name === undefined) continue;
    const services = Object.values(model.services)
      .filter((s) => (s.networks ?? []).includes(res.key))
      .map((s) => s.name);
    if (!services.length) continue;
    out.push({ key: res.key, name: res.name ?? res.key, external: res.external, services });
  }
  return out;
}

/** The engine name of the per-instance network standing in for a shared one. */
export function isolatedNetworkName(id: string, shared: string): string {
  return `${id}_shared-${shared.replace(/[^A-Za-z0-9_.-]+/g, '-')}`.slice(0, 120);
}

export const isolationContribution: Contribution = {
  name: 'isolation',
  build({ id, owner, model, isolate }) {
    if (!isolate) return {};
    const doc: Partial<OverrideDoc> = { networks: {} };
    for (const net of sharedNetworks(model)) {
      doc.networks![net.key] = {
        // external: false spelled out: compose v2 merges this over the user's definition (v1 replaces it)
        external: false,
        name: isolatedNetworkName(id, net.name),
        driver: 'bridge',
        labels: { ...ownershipLabels(id, owner), [LABEL_ROLE]: ISOLATION_ROLE, [LABEL_SHARED]: net.name },
      };
    }
    return doc;
  },
};
