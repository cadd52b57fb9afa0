// The domain types moved to main/shared/types.ts (the renderer reads them too); core modules keep importing them
// from here.
export type * from '../shared/types';
export { MAX_SLOT, MIN_SLOT } from '../shared/types';
