// The schema of ktrdr-sandbox.yml. `ktrdr-sandbox manifest-schema` prints it as JSON Schema.
// zod/mini: the same validation as classic zod at a fraction of the start-up cost (classic zod costs ~80 ms
// to load, which every CLI command would pay; the budget of `env`/`exec` is 150 ms in all). The schema is
// built on first use (manifestSchema()): repositories without a manifest use the preset and never need it.
import * as z from 'zod/mini';

function buildManifestSchema() {
  const describe = <T extends z.ZodMiniType>(schema: T, text: string): T => schema.check(z.describe(text));
  const envName = z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)'));
  const port = z.int().check(z.gte(1), z.lte(65535));
  const strings = z.array(z.string());

  const portSpecSchema = z.strictObject({
    name: describe(z.string().check(z.minLength(1)), 'Short name used in links, e.g. "api"'),
    env: describe(envName, 'Variable written to .env.sandbox and used by the compose file'),
    slot0: describe(port, 'Port for slot 0 (the main development environment)'),
    base: describe(port, 'Port for slot N is base + step * N (N = 1..10)'),
    step: z._default(z.int().check(z.gte(1)), 1),
    service: describe(z.optional(z.string()), 'Compose service publishing this port'),
  });

  const execCheck = z.strictObject({
    name: z.string().check(z.minLength(1)),
    label: z.optional(z.string()),
    exec: z.strictObject({ service: z.string(), command: z.array(z.string()).check(z.minLength(1)) }),
    retry: describe(z._default(z.boolean(), true), 'false: run once (migrations); its failure fails the gate'),
    dependsOn: z._default(strings, []),
    timeout: describe(z.optional(z.number().check(z.positive())), 'per-attempt timeout, seconds'),
  });

  const httpCheck = z.strictObject({
    name: z.string().check(z.minLength(1)),
    label: z.optional(z.string()),
    http: z.strictObject({
      url: describe(z.string(), 'May use ${VAR} from .env.sandbox, e.g. http://127.0.0.1:${KTRDR_API_PORT}/api/v1/health'),
      status: z._default(z.array(z.int()), [200]),
      minItems: describe(z.optional(z.int().check(z.gte(0))), 'JSON list (or {key:[...]}) must have at least this many items'),
      itemsKey: describe(z.optional(z.string()), 'Key holding the list when the body is an object'),
    }),
    service: describe(z.optional(z.string()), 'Service whose logs are shown when this check fails'),
    dependsOn: z._default(strings, []),
    timeout: z.optional(z.number().check(z.positive())),
  });

  const tcpCheck = z.strictObject({
    name: z.string().check(z.minLength(1)),
    label: z.optional(z.string()),
    tcp: z.strictObject({
      host: z._default(z.string(), '127.0.0.1'),
      port: describe(
        z.union([port, z.string()]),
        "A port, or ${VAR} from .env.sandbox. Passes when the connection is accepted and not closed at once (Docker's proxy accepts, then closes when nothing listens)",
      ),
    }),
    service: describe(z.optional(z.string()), 'Service whose logs are shown when this check fails'),
    dependsOn: z._default(strings, []),
    timeout: z.optional(z.number().check(z.positive())),
  });

  const gateCheckSchema = z.union([execCheck, httpCheck, tcpCheck]);

  // Snapshots (issue 14): an exec in a running service, e.g. `alembic current`; its last output line is the head.
  const serviceExec = z.strictObject({ service: z.string().check(z.minLength(1)), command: z.array(z.string()).check(z.minLength(1)) });
  const seedSchema = z.strictObject({
    service: describe(z.string().check(z.minLength(1)), 'Service to exec the seed command in (after migrations)'),
    command: describe(z.array(z.string()).check(z.minLength(1)), 'Loads reference data into an empty database'),
    unless: describe(
      z.optional(z.array(z.string()).check(z.minLength(1))),
      'Exits 0 when the data is already there: the seed is skipped (a restored snapshot)',
    ),
    dependsOn: describe(z._default(strings, ['migrations']), 'Gate checks that must pass first (unknown names are ignored)'),
    timeout: describe(z._default(z.number().check(z.positive()), 600), 'seconds'),
  });
  const snapshotSchema = z.strictObject({
    volumes: describe(z._default(strings, []), 'Compose volume keys a snapshot captures by default, e.g. [postgres_data]'),
    migrationHead: describe(z.optional(serviceExec), 'Prints the database migration head (last line), e.g. alembic current'),
    postgres: describe(
      z._default(strings, []),
      'Volumes holding a PostgreSQL data directory: the copy leaves out the WAL segments recycled past the shutdown checkpoint',
    ),
  });

  const manifestSchema = z.strictObject({
    version: z.literal(1),
    compose: z.strictObject({ files: z.array(z.string()).check(z.minLength(1)) }),
    ports: describe(z.array(portSpecSchema), 'The slot map (may be empty: a stack that publishes no host port)'),
    links: z._default(z.array(z.strictObject({ name: z.string(), label: z.string(), url: z.string() })), []),
    gate: z._default(
      z.strictObject({
        timeout: describe(z._default(z.number().check(z.positive()), 180), 'seconds, one deadline for all checks'),
        interval: describe(z._default(z.number().check(z.positive()), 0.25), 'seconds between attempts of a check'),
        checks: z._default(z.array(gateCheckSchema), []),
        seed: describe(z.optional(seedSchema), 'Seed step run by the gate after migrations (see README: Snapshots)'),
        containers: z._default(
          z.strictObject({
            gate: describe(z.optional(strings), 'Services whose containers must be healthy (default: those publishing host ports)'),
            ignore: z._default(strings, []),
          }),
          { ignore: [] },
        ),
      }),
      { timeout: 180, interval: 0.25, checks: [], containers: { ignore: [] } },
    ),
    secrets: z._default(
      z.strictObject({
        generate: describe(
          z._default(z.array(envName), []),
          'Variables generated once per instance (random), kept outside the repo with mode 0600',
        ),
        command: describe(
          z.optional(z.string()),
          'Shell command printing KEY=VALUE lines (e.g. a password-manager CLI); its failure stops `up`',
        ),
      }),
      { generate: [] },
    ),
    isolation: describe(
      z.optional(z.union([z.enum(['on', 'off']), z.boolean()])),
      "on (default): services joining an external network (or one with a fixed name) get a per-instance copy of it, the shared stack's containers connected to it by name; off: share it (the gate's isolation check still runs)",
    ),
    shared: z._default(
      z.strictObject({
        mounts: describe(z._default(z.record(z.string(), envName), {}), 'shared sub-folder → variable, e.g. data: KTRDR_DATA_DIR'),
        overlay: describe(
          z.optional(z.union([z.boolean(), z.array(z.string().check(z.minLength(1)))])),
          'true (or a list of shared sub-folders, e.g. [data]): each instance sees those folders with a writable overlay of its own on top (local Linux engine only); its writes never reach the shared folder (`shared reset` drops them)',
        ),
      }),
      { mounts: {} },
    ),
    destroy: z.optional(
      z.strictObject({
        disposable: describe(
          z.optional(strings),
          'Untracked/ignored paths destroy may delete without --force, added to the defaults (node_modules, __pycache__, .venv, caches, dist, …); "!dist" removes a default. A name without "/" matches at any depth; "*" and "**" as in .gitignore',
        ),
      }),
    ),
    snapshot: describe(z.optional(snapshotSchema), 'Volume snapshots (ktrdr-sandbox snapshot save)'),
  });
  return { manifestSchema, gateCheckSchema, portSpecSchema, seedSchema, snapshotSchema };
}

let built: ReturnType<typeof buildManifestSchema> | undefined;
const schemas = () => (built ??= buildManifestSchema());

/** The zod schema of ktrdr-sandbox.yml (built on first call). */
export const manifestSchema = () => schemas().manifestSchema;

type Schemas = ReturnType<typeof buildManifestSchema>;
export type PortSpec = z.output<Schemas['portSpecSchema']>;
export type GateCheckSpec = z.output<Schemas['gateCheckSchema']>;
export type SeedSpec = z.output<Schemas['seedSchema']>;
export type SnapshotSpec = z.output<Schemas['snapshotSchema']>;
export type Manifest = z.output<Schemas['manifestSchema']>;
export type ManifestInput = z.input<Schemas['manifestSchema']>;

export function manifestJsonSchema(): unknown {
  return z.toJSONSchema(manifestSchema(), { io: 'input' });
}
