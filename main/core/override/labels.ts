// Ownership labels (issue 9): every container, network and volume compose creates for the instance carries the
// instance id and this registry's identity, so that prune, destroy's fallback, list and the dashboard can
// prove an object is ours before touching it. External networks and volumes are not ours and get nothing.
import { LABEL_INSTANCE, LABEL_OWNER } from '../labels';
import { defaultServices } from '../compose-model';
import { labelMap } from './merge';
import type { Contribution, JsonObject, OverrideDoc } from './types';

export function ownershipLabels(id: string, owner: string): JsonObject {
  return { [LABEL_INSTANCE]: id, [LABEL_OWNER]: owner };
}

export const labelsContribution: Contribution = {
  name: 'labels',
  build({ id, owner, model }) {
    const labels = ownershipLabels(id, owner);
    const doc: Partial<OverrideDoc> = { services: {}, networks: {}, volumes: {} };
    for (const name of Object.keys(model.services)) doc.services![name] = { labels };
    // Compose v1 replaces a top-level network/volume named again in a later file (v2 merges): copy the user's
    // definition whole and add the labels, so both give the same result.
    for (const res of Object.values(model.networks ?? {})) {
      if (res.external) continue;
      doc.networks![res.key] = { ...(res.raw as JsonObject), labels: { ...labelMap(res.raw.labels), ...labels } };
    }
    const usesDefault = defaultServices(model).some((s) => (s.networks ?? ['default']).includes('default'));
    if (usesDefault && !model.networks?.default) doc.networks!.default = { labels };
    for (const res of Object.values(model.volumes ?? {})) {
      if (res.external) continue;
      doc.volumes![res.key] = { ...(res.raw as JsonObject), labels: { ...labelMap(res.raw.labels), ...labels } };
    }
    return doc;
  },
};
