// The schema of ktrdr-sandbox.yml. `ktrdr-sandbox manifest-schema` prints it as JSON Schema.
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');
const port = z.number().int().min(1).max(65535);

export const portSpecSchema = z
  .object({
    name: z.string().min(1).describe('Short name used in links, e.g. "api"'),
    env: envName.describe('Variable written to .env.sandbox and used by the compose file'),
    slot0: port.describe('Port for slot 0 (the main development environment)'),
    base: port.describe('Port for slot N is base + step * N (N = 1..10)'),
    step: z.number().int().min(1).default(1),
    service: z.string().optional().describe('Compose service publishing this port'),
  })
  .strict();

const execCheck = z
  .object({
    name: z.string().min(1),
    label: z.string().optional(),
    exec: z.object({ service: z.string(), command: z.array(z.string()).min(1) }).strict(),
    retry: z.boolean().default(true).describe('false: run once (migrations); its failure fails the gate'),
    dependsOn: z.array(z.string()).default([]),
    timeout: z.number().positive().optional().describe('per-attempt timeout, seconds'),
  })
  .strict();

const httpCheck = z
  .object({
    name: z.string().min(1),
    label: z.string().optional(),
    http: z
      .object({
        url: z.string().describe('May use ${VAR} from .env.sandbox, e.g. http://127.0.0.1:${KTRDR_API_PORT}/api/v1/health'),
        status: z.array(z.number().int()).default([200]),
        minItems: z.number().int().min(0).optional().describe('JSON list (or {key:[...]}) must have at least this many items'),
        itemsKey: z.string().optional().describe('Key holding the list when the body is an object'),
      })
      .strict(),
    service: z.string().optional().describe('Service whose logs are shown when this check fails'),
    dependsOn: z.array(z.string()).default([]),
    timeout: z.number().positive().optional(),
  })
  .strict();

export const gateCheckSchema = z.union([execCheck, httpCheck]);

export const manifestSchema = z
  .object({
    version: z.literal(1),
    compose: z.object({ files: z.array(z.string()).min(1) }).strict(),
    ports: z.array(portSpecSchema).min(1),
    links: z
      .array(z.object({ name: z.string(), label: z.string(), url: z.string() }).strict())
      .default([]),
    gate: z
      .object({
        timeout: z.number().positive().default(180).describe('seconds, one deadline for all checks'),
        interval: z.number().positive().default(0.25).describe('seconds between attempts of a check'),
        checks: z.array(gateCheckSchema).default([]),
        containers: z
          .object({
            gate: z.array(z.string()).optional().describe('Services whose containers must be healthy (default: those publishing host ports)'),
            ignore: z.array(z.string()).default([]),
          })
          .strict()
          .default({ ignore: [] }),
      })
      .strict()
      .default({ timeout: 180, interval: 0.25, checks: [], containers: { ignore: [] } }),
    secrets: z
      .object({
        generate: z.array(envName).default([]).describe('Variables generated once per instance (random), kept outside the repo with mode 0600'),
        command: z
          .string()
          .optional()
          .describe('Shell command printing KEY=VALUE lines (e.g. a password-manager CLI); its failure stops `up`'),
      })
      .strict()
      .default({ generate: [] }),
    shared: z
      .object({
        mounts: z.record(z.string(), envName).default({}).describe('shared sub-folder → variable, e.g. data: KTRDR_DATA_DIR'),
      })
      .strict()
      .default({ mounts: {} }),
  })
  .strict();

export type PortSpec = z.output<typeof portSpecSchema>;
export type GateCheckSpec = z.output<typeof gateCheckSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;

export function manifestJsonSchema(): unknown {
  return z.toJSONSchema(manifestSchema, { io: 'input' });
}
