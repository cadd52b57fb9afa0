// The snapshot data shapes moved to main/shared/snapshot-types.ts (the renderer reads them too); core modules
// keep importing them from here.
export type * from '../shared/snapshot-types';
