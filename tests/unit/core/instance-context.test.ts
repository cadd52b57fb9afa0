// One instance context per command (issue 12): a command reads the registry, loads the manifest and parses the
// compose file(s) once, and every step (lint, port check, override, gate, description, status view) takes what
// was resolved. Counted with fakes: the registry store counts its reads; the manifest loader and the YAML parser
// are wrapped by counters (a parse of the compose file's text is a compose parse, wherever it happens). The files
// are in memory (MemoryFiles).
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Compose, ComposeModelCache, Deps, GateStore, RegistryStore } from '../../../main/core/deps';
import type { ComposeModel, GateReport, RegistryData } from '../../../main/shared/types';
import { upInstance } from '../../../main/core/use-cases/up';
import { gateInstance } from '../../../main/core/use-cases/gate';
import { statusOf } from '../../../main/core/use-cases/status';
import { collectEvidence } from '../../../main/core/use-cases/evidence';
import { resolveContext } from '../../../main/core/instance-context';
import { container, FakeClock, FakeEngine, FakeHttp, FakePortProbe, fakeDeps, record, registryWith } from './fakes';
import { MemoryFiles } from './memory-files';

const counts = vi.hoisted(() => ({ manifestLoads: 0, yamlParses: [] as string[] }));

vi.mock('../../../main/core/manifest', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../main/core/manifest')>();
  return {
    ...orig,
    loadManifest: async (...args: Parameters<typeof orig.loadManifest>) => {
      counts.manifestLoads++;
      return orig.loadManifest(...args);
    },
  };
});

vi.mock('yaml', async (importOriginal) => {
  const orig = await importOriginal<typeof import('yaml')>();
  const parse = ((...args: Parameters<typeof orig.parse>) => {
    counts.yamlParses.push(String(args[0]));
    return orig.parse(...args);
  }) as typeof orig.parse;
  return { ...orig, parse, default: { ...orig, parse } };
});

const ID = 'ktrdr--ctx';
const COMPOSE = `services:
  db:
    image: x
    ports: ["127.0.0.1:\${KTRDR_DB_PORT:-5432}:5432"]
  backend:
    image: x
    ports: ["127.0.0.1:\${KTRDR_API_PORT:-8000}:8000"]
`;

const dir = '/repos/ctx';
let files: MemoryFiles;
let reg: RegistryData;
let registryReads: number;
let engine: FakeEngine;
let gates: GateReport[];

/** Parses of the compose file (not of anything else the command may parse). */
const composeParses = () => counts.yamlParses.filter((t) => t === COMPOSE).length;

function deps(over: Partial<Deps> = {}): Deps {
  const registry: RegistryStore = {
    file: path.join(dir, 'instances.json'),
    read: async () => {
      registryReads++;
      return reg;
    },
    update: async (fn) => fn(reg),
  };
  const compose = { up: async () => undefined } as unknown as Compose;
  const store: GateStore = {
    read: async () => gates.at(-1) ?? null,
    write: async (r) => void gates.push(r),
    remove: async () => undefined,
  };
  return fakeDeps({
    engine,
    compose,
    ports: new FakePortProbe(),
    registry,
    gates: store,
    http: new FakeHttp((url) => ({ status: 200, body: url.endsWith('/workers') ? '{"workers":[1,2,3,4]}' : 'ok' })),
    clock: new FakeClock(),
    secrets: { get: async () => ({ KTRDR_DB_PASSWORD: 'pw' }), remove: async () => undefined, set: async () => undefined },
    home: path.join(dir, 'home'),
    sharedHome: path.join(dir, 'shared'),
    files,
    archive: { pack: async () => undefined, unpack: async () => undefined },
    ...over,
  });
}

beforeEach(() => {
  files = new MemoryFiles({ [path.join(dir, 'docker-compose.sandbox.yml')]: COMPOSE });
  reg = registryWith(record(ID, 2, { path: dir }));
  registryReads = 0;
  counts.manifestLoads = 0;
  counts.yamlParses = [];
  gates = [];
  engine = new FakeEngine([container('db', { project: ID, health: 'healthy' }), container('backend', { project: ID, health: 'healthy' })]);
  engine.ping = async () => ({ endpoint: 'fake', version: '20.10', apiVersion: '1.41' });
});

describe('one instance context per command', () => {
  it('up (with its lint, port check, override, gate and description) reads the registry, loads the manifest and parses the compose file once each', async () => {
    const r = await upInstance(deps(), { id: ID }, {}, () => undefined);
    expect(r.gate?.passed).toBe(true);
    expect(r.instance.links.map((l) => l.name)).toEqual(['api']); // the description used the compose model
    expect(gates).toHaveLength(1);
    expect({ registryReads, manifestLoads: counts.manifestLoads, composeParses: composeParses() }).toEqual({
      registryReads: 1,
      manifestLoads: 1,
      composeParses: 1,
    });
  });

  it('up with a lint finding still parses once (the lint reads the texts, not a second model)', async () => {
    files.put(
      path.join(dir, 'docker-compose.sandbox.yml'),
      COMPOSE.replace('"127.0.0.1:${KTRDR_DB_PORT:-5432}:5432"', '"${KTRDR_DB_PORT:-5432}:5432"'),
    );
    const r = await upInstance(deps(), { id: ID }, {}, () => undefined);
    expect(r.lint?.map((f) => f.name)).toEqual(['port-binding']);
    expect(counts.yamlParses).toHaveLength(1);
    expect({ registryReads, manifestLoads: counts.manifestLoads }).toEqual({ registryReads: 1, manifestLoads: 1 });
  });

  it('up reads the compose model through the model cache: a second up parses nothing', async () => {
    const cache = new Map<string, ComposeModel>();
    const composeModels: ComposeModelCache = { get: (k) => cache.get(k), set: (k, m) => void cache.set(k, m) };
    await upInstance(deps({ composeModels }), { id: ID }, {}, () => undefined);
    expect(composeParses()).toBe(1);
    expect(cache.size).toBe(1);
    await upInstance(deps({ composeModels }), { id: ID }, {}, () => undefined);
    expect(composeParses()).toBe(1);
  });

  it('gate reads the registry, loads the manifest and parses the compose file once each', async () => {
    const r = await gateInstance(deps(), { id: ID }, {});
    expect(r.passed).toBe(true);
    expect({ registryReads, manifestLoads: counts.manifestLoads, composeParses: composeParses() }).toEqual({
      registryReads: 1,
      manifestLoads: 1,
      composeParses: 1,
    });
  });

  it('status reads the registry, loads the manifest and parses the compose file once each', async () => {
    const r = await statusOf(deps(), { id: ID });
    expect(r.instance.status).toBe('running');
    expect(r.endpoints.map((e) => e.name)).toEqual(['backend', 'workers']);
    expect({ registryReads, manifestLoads: counts.manifestLoads, composeParses: composeParses() }).toEqual({
      registryReads: 1,
      manifestLoads: 1,
      composeParses: 1,
    });
  });

  it('evidence (with the status it includes) reads the registry, loads the manifest and builds the compose model once each', async () => {
    const compose = {
      info: async () => ({ variant: 'v1', version: '1.29.2', command: ['docker-compose'] }),
      config: async () => 'services: {}\n',
    } as unknown as Compose;
    const d = deps({
      compose,
      git: {
        currentBranch: async () => 'main',
        head: async () => null,
        status: async () => ({ dirty: false, files: [] }),
        diffStat: async () => '',
        version: async () => '2.39',
      } as unknown as Deps['git'],
    });
    // --compose-config: compose renders the configuration, so every parse of the compose file is a model's
    const r = await collectEvidence(d, { id: ID }, { out: path.join(dir, 'evidence'), composeConfig: true });
    expect(r.problems).toEqual([]);
    expect({ registryReads, manifestLoads: counts.manifestLoads, composeParses: composeParses() }).toEqual({
      registryReads: 1,
      manifestLoads: 1,
      composeParses: 1,
    });
  });

  it('the context carries the record, the registry it came from, variables, compose project and engine', async () => {
    const d = deps();
    const ctx = await resolveContext(d, { id: ID });
    expect(ctx.rec.id).toBe(ID);
    expect(ctx.registry).toBe(reg);
    expect(ctx.vars).toMatchObject({ INSTANCE_ID: ID, SLOT_NUMBER: '2' });
    expect(ctx.compose).toEqual({
      project: ID,
      projectDir: dir,
      files: [path.join(dir, 'docker-compose.sandbox.yml')],
      envFile: path.join(dir, '.env.sandbox'),
      override: path.join(dir, 'home', 'instances', ID, 'compose.override.yml'),
    });
    expect(ctx.engine).toBe(d.engine);
    expect(ctx.dirExists).toBe(true);
    expect(Object.keys((await ctx.model).services)).toEqual(['db', 'backend']);
  });

  it('a missing compose file does not fail the resolution: the model says so when it is needed', async () => {
    await files.remove(path.join(dir, 'docker-compose.sandbox.yml'));
    const ctx = await resolveContext(deps(), { id: ID });
    await expect(ctx.model).rejects.toThrow(/Compose file not found/);
  });
});
