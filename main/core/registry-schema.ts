// The registry document's schema (zod), loaded only to say what is wrong with a file that fails the quick
// check of registry.ts (isRegistryDocument): reading a well-formed registry — every command does — never
// loads zod (~8 ms of start-up on node 20). tests/unit/core/registry-shape.test.ts holds both to the same
// verdict on every field.
import * as z from 'zod/mini';
import { MAX_SLOT } from '../shared/types';
import { REGISTRY_VERSION } from './registry';

/** Where an instance runs: context null = the default engine (also when `engine` is absent). */
const engineSchema = z.looseObject({
  context: z.nullable(z.string()),
  endpoint: z.optional(z.string()),
  source: z.optional(
    z.looseObject({
      mode: z.enum(['sync', 'path-map']),
      remotePath: z.string(),
      localPath: z.optional(z.string()),
      map: z.optional(z.array(z.object({ local: z.string(), remote: z.string() }))),
    }),
  ),
});

// Loose objects: keys this version does not know (written by a newer version, or by hand) are kept on rewrite.
// The fields added later (origin, state, pid, force) are optional, so files written before them still load.
const instanceSchema = z.looseObject({
  id: z.string(),
  path: z.string(),
  slot: z.int().check(z.gte(0), z.lte(MAX_SLOT)),
  kind: z.enum(['worktree', 'clone']),
  repo: z.string(),
  branch: z.nullable(z.string()),
  createdAt: z.string(),
  origin: z.optional(z.enum(['created', 'init'])),
  state: z.optional(z.enum(['creating', 'destroying'])),
  pid: z.optional(z.int().check(z.gte(1))),
  host: z.optional(z.string()),
  force: z.optional(z.boolean()),
  engine: z.optional(engineSchema),
  sharedOverlay: z.optional(z.union([z.boolean(), z.array(z.string())])),
});

const blacklistSchema = z.record(
  z.string(),
  z.looseObject({ reason: z.string(), at: z.string(), port: z.optional(z.number()), holder: z.optional(z.string()) }),
);

export const registrySchema = z.looseObject({
  version: z.literal(REGISTRY_VERSION),
  instances: z.record(z.string(), instanceSchema),
  blacklist: blacklistSchema,
});

/** What is wrong with a document that is not a registry: "unexpected content at PATH: MESSAGE", or null. */
export function registryProblem(data: unknown): string | null {
  const parsed = registrySchema.safeParse(data);
  if (parsed.success) return null;
  const first = parsed.error.issues[0];
  return `unexpected content at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`;
}
