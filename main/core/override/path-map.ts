// An instance on a remote engine whose source is shared by NFS (`--path-map LOCAL=REMOTE`): each service's bind
// mounts under a LOCAL are re-declared with the REMOTE source (compose merges volumes by container target), so
// the engine's host mounts its own copy; the user's compose file is never edited. Pure: core/path-map.ts maps.
import { mappedVolumes } from '../path-map';
import type { Contribution, Json, OverrideDoc } from './types';

export const pathMapContribution: Contribution = {
  name: 'path-map',
  build({ model, pathMap }) {
    if (!pathMap?.map.length) return {};
    const doc: Partial<OverrideDoc> = { services: {} };
    for (const [svc, volumes] of Object.entries(mappedVolumes(model, pathMap.map, pathMap.vars, pathMap.projectDir)))
      doc.services![svc] = { volumes: volumes as Json[] };
    return doc;
  },
};
