// The use-cases' result shapes moved to main/shared/results.ts (the renderer reads them too); core modules keep
// importing them from here.
export type * from '../shared/results';
