// up: what runs, in which order, and what is (not) touched when a step fails — with an instance directory in
// memory (compose file, .env.sandbox) and fakes for the engine, compose, ports, secrets and stores.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EngineUnavailableError,
  type Compose,
  type ComposeTarget,
  type Deps,
  type GateStore,
  type RegistryStore,
} from '../../../main/core/deps';
import type { ProgressEvent } from '../../../main/core/events';
import type { GateReport, RegistryData } from '../../../main/shared/types';
import { upInstance } from '../../../main/core/use-cases/up';
import { fakeEnv, MemoryFiles } from './memory-files';
import { container, FakeClock, FakeEngine, FakeHttp, FakePortProbe, fakeDeps, record, registryWith } from './fakes';

const ID = 'ktrdr--up';
const COMPOSE = `services:
  db:
    image: x
    ports: ["127.0.0.1:\${KTRDR_DB_PORT:-5432}:5432"]
  backend:
    image: x
    ports: ["127.0.0.1:\${KTRDR_API_PORT:-8000}:8000"]
`;

const dir = '/repos/up';
let files: MemoryFiles;
let reg: RegistryData;
let calls: string[];
let events: ProgressEvent[];
let gates: GateReport[];
let engine: FakeEngine;
let ports: FakePortProbe;

function deps(over: Partial<Deps> = {}): Deps {
  const registry: RegistryStore = {
    file: path.join(dir, 'instances.json'),
    read: async () => reg,
    update: async (fn) => fn(reg),
  };
  const compose = {
    up: async (t: ComposeTarget) => {
      calls.push(`compose up ${t.project} ${t.env?.KTRDR_DB_PASSWORD ? 'with secrets' : 'without secrets'}`);
    },
  } as unknown as Compose;
  const store: GateStore = { read: async () => null, write: async (r) => void gates.push(r), remove: async () => undefined };
  return fakeDeps({
    engine,
    compose,
    ports,
    registry,
    gates: store,
    http: new FakeHttp((url) => ({ status: 200, body: url.endsWith('/workers') ? '{"workers":[1,2,3,4]}' : 'ok' })),
    clock: new FakeClock(),
    secrets: {
      get: async () => {
        calls.push('secrets');
        return { KTRDR_DB_PASSWORD: 'pw' };
      },
      remove: async () => undefined,
      set: async () => undefined,
    },
    files,
    env: fakeEnv(),
    sharedHome: path.join(dir, 'shared'),
    ...over,
  });
}

const steps = () => events.flatMap((e) => (e.type === 'step' ? [`${e.id}:${e.state}`] : []));

beforeEach(() => {
  files = new MemoryFiles({ [path.join(dir, 'docker-compose.sandbox.yml')]: COMPOSE });
  reg = registryWith(record(ID, 2, { path: dir }));
  calls = [];
  events = [];
  gates = [];
  engine = new FakeEngine([container('db', { project: ID, health: 'healthy' }), container('backend', { project: ID, health: 'healthy' })]);
  engine.ping = async () => {
    calls.push('ping');
    return { endpoint: 'fake', version: '20.10', apiVersion: '1.41' };
  };
  ports = new FakePortProbe();
});

describe('upInstance', () => {
  it('checks, prepares, starts compose once, then runs the gate and keeps its report', async () => {
    const r = await upInstance(deps(), { id: ID }, {}, (e) => events.push(e));
    expect(steps()).toEqual([
      'engine:running',
      'engine:passed',
      'envfile:info',
      'ports:running',
      'ports:passed',
      'shared:running',
      'shared:passed',
      'secrets:running',
      'secrets:passed',
      'compose-up:running',
      'compose-up:passed',
    ]);
    expect(calls).toEqual(['ping', 'secrets', `compose up ${ID} with secrets`]);
    expect(events.findIndex((e) => e.type === 'gate-start')).toBeGreaterThan(
      events.findIndex((e) => e.type === 'step' && e.id === 'compose-up' && e.state === 'passed'),
    );
    expect(r.gate?.passed).toBe(true);
    expect(r.gate?.checks.find((c) => c.name === 'containers')?.message).toBe('2/2 healthy'); // services from the compose file
    expect(gates).toHaveLength(1);
    expect(r.instance).toMatchObject({ id: ID, path: dir, slot: 2 });
    expect(files.readText(path.join(dir, '.env.sandbox'))).toContain(`INSTANCE_ID=${ID}`);
  });

  it('--no-wait: no gate, no report', async () => {
    const r = await upInstance(deps(), { id: ID }, { wait: false }, (e) => events.push(e));
    expect(r.gate).toBeNull();
    expect(gates).toEqual([]);
    expect(events.some((e) => e.type === 'gate-start')).toBe(false);
  });

  it('engine unavailable → fails before writing anything', async () => {
    engine.ping = async () => {
      throw new EngineUnavailableError('Docker is not running', 'fake');
    };
    await expect(upInstance(deps(), { id: ID }, {}, (e) => events.push(e))).rejects.toThrow('Docker is not running');
    expect(files.exists(path.join(dir, '.env.sandbox'))).toBe(false);
    expect(steps()).toEqual(['engine:running', 'engine:failed']);
    expect(calls).toEqual([]);
  });

  it('a broken compose file is reported before an unavailable engine', async () => {
    files.put(path.join(dir, 'docker-compose.sandbox.yml'), 'services: [not, a, map\n');
    engine.ping = async () => {
      throw new EngineUnavailableError('Docker is not running', 'fake');
    };
    await expect(upInstance(deps(), { id: ID }, {}, (e) => events.push(e))).rejects.toThrow(
      /docker-compose\.sandbox\.yml is not valid YAML/,
    );
    expect(steps()).toEqual([]);
  });

  it('a port held by a foreign process → port conflict; secrets are not fetched and compose is not started', async () => {
    ports.held.set(8002, { pid: 4242, command: 'python3 -m http.server' });
    await expect(upInstance(deps(), { id: ID }, {}, (e) => events.push(e))).rejects.toMatchObject({ code: 'PORT_CONFLICT' });
    expect(calls).toEqual(['ping']);
    expect(steps().slice(-2)).toEqual(['ports:running', 'ports:failed']);
  });

  it("a port held by the engine's proxy for this instance's own container being started: waited for, not a conflict", async () => {
    // a compose left running by a killed `up` is starting the backend: the proxy holds 8002, the listing does not
    // say so yet (state `created`, no ports) until the start ends — which inspecting the container waits for
    let started = false;
    const backend = (state: 'created' | 'running') =>
      container('backend', {
        project: ID,
        state,
        ports: state === 'running' ? [{ hostIp: '127.0.0.1', hostPort: 8002, containerPort: 8000 }] : [],
      });
    engine.containers = () => [container('db', { project: ID, health: 'healthy' }), backend(started ? 'running' : 'created')];
    const inspected: string[] = [];
    engine.inspect = async (cid) => {
      inspected.push(cid);
      started = true;
      return {} as Awaited<ReturnType<typeof engine.inspect>>;
    };
    ports.held.set(8002, { pid: 777, command: 'docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8002 -container-ip 172.18.0.3' });
    await upInstance(deps(), { id: ID }, { wait: false }, (e) => events.push(e));
    expect(inspected).toEqual([`id-${ID}-backend`]);
    expect(steps()).toContain('ports:passed');
    expect(calls).toContain(`compose up ${ID} with secrets`);
  });

  it("a port still held after this instance's starting containers settle is a conflict", async () => {
    engine.containers = [container('backend', { project: ID, state: 'created' })];
    engine.inspect = async () => ({}) as Awaited<ReturnType<typeof engine.inspect>>;
    ports.held.set(8002, { pid: 4242, command: 'python3 -m http.server' });
    await expect(upInstance(deps(), { id: ID }, {}, (e) => events.push(e))).rejects.toMatchObject({ code: 'PORT_CONFLICT' });
    expect(calls).toEqual(['ping']);
  });

  it('checks of services the compose file does not define are skipped with the reason, never run', async () => {
    const http = new FakeHttp((url) => ({ status: 200, body: url.endsWith('/workers') ? '{"workers":[1,2,3,4]}' : 'ok' }));
    const r = await upInstance(deps({ http }), { id: ID }, {}, (e) => events.push(e));
    expect(r.gate?.passed).toBe(true);
    const byName = Object.fromEntries(r.gate!.checks.map((c) => [c.name, c]));
    for (const n of ['grafana', 'jaeger', 'prometheus']) {
      expect(byName[n]).toMatchObject({
        state: 'skipped',
        message: `skipped: service ${n} is not in docker-compose.sandbox.yml`,
        attempts: 0,
      });
    }
    expect(r.gate!.checks.map((c) => c.name)).toEqual([
      'database',
      'migrations',
      'backend',
      'workers',
      'grafana',
      'jaeger',
      'prometheus',
      'containers',
      'isolation',
    ]);
    expect(http.callsTo(':3002') + http.callsTo(':16688') + http.callsTo(':9092')).toBe(0);
    // the live progress lists them from the start and reports them settled
    const start = events.find((e) => e.type === 'gate-start');
    expect(start?.type === 'gate-start' && start.checks.map((c) => c.name)).toContain('grafana');
    expect(events.some((e) => e.type === 'gate-check' && e.check.name === 'jaeger' && e.check.state === 'skipped')).toBe(true);
    expect(gates[0]!.checks.find((c) => c.name === 'prometheus')?.state).toBe('skipped');
    // links and ports of the result
    expect(r.instance.links.map((l) => l.name)).toEqual(['api']);
    expect(r.instance.ports.find((p) => p.name === 'grafana')).toMatchObject({ port: 3002, used: false });
  });

  it('lint findings are ONE step line, carried in full in the result', async () => {
    files.put(
      path.join(dir, 'docker-compose.sandbox.yml'),
      COMPOSE.replace('"127.0.0.1:${KTRDR_DB_PORT:-5432}:5432"', '"${KTRDR_DB_PORT:-5432}:5432"').replace(
        '"127.0.0.1:${KTRDR_API_PORT:-8000}:8000"',
        '"${KTRDR_API_PORT:-8000}:8000"',
      ),
    );
    const r = await upInstance(deps(), { id: ID }, {}, (e) => events.push(e));
    const lintSteps = events.filter((e) => e.type === 'step' && e.id.startsWith('doctor'));
    expect(lintSteps).toHaveLength(1);
    expect(lintSteps[0]).toMatchObject({ state: 'warning', label: 'compose lint: 2 warnings — `ktrdr-sandbox doctor` for details' });
    expect(r.lint?.map((f) => f.name)).toEqual(['port-binding', 'port-binding']);
  });

  it('a missing external network/volume stops up before compose, naming each; --create-externals creates them labelled', async () => {
    files.put(
      path.join(dir, 'docker-compose.sandbox.yml'),
      `${COMPOSE}networks:\n  obs:\n    external: true\n    name: shared-observability\nvolumes:\n  models:\n    external: true\n`,
    );
    const err = await upInstance(deps(), { id: ID }, {}, (e) => events.push(e)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STATE', exitCode: 1 });
    expect((err as Error).message).toBe(
      'External network "shared-observability", volume "models" do not exist: compose would fail on them, so nothing was started',
    );
    expect((err as { hint?: string }).hint).toContain('up --create-externals');
    expect(calls).toEqual(['ping']); // no secrets, no compose
    expect(steps().slice(-2)).toEqual(['externals:running', 'externals:failed']);
    expect(engine.externals.size).toBe(0);

    events = [];
    const r = await upInstance(deps(), { id: ID }, { createExternals: true }, (e) => events.push(e));
    expect(r.gate?.passed).toBe(true);
    expect([...engine.externals]).toEqual([
      ['network:shared-observability', { 'dev.ktrdr-sandbox.role': 'external' }],
      ['volume:models', { 'dev.ktrdr-sandbox.role': 'external' }],
    ]);
    expect(steps()).toContain('externals-created:info');
    expect(calls).toEqual(['ping', 'ping', 'secrets', `compose up ${ID} with secrets`]);

    // present now: a plain up passes the check without creating anything
    engine.createNetwork = async () => {
      throw new Error('must not create');
    };
    await upInstance(deps(), { id: ID }, {}, () => undefined);
  });
});

describe('upInstance with shared.overlay', () => {
  const MANIFEST = `version: 1
compose: { files: [docker-compose.sandbox.yml] }
ports: []
shared: { mounts: { data: KTRDR_DATA_DIR }, overlay: true }
`;
  const withOverlayFile = () => {
    files.put(path.join(dir, 'ktrdr-sandbox.yml'), MANIFEST);
    files.put(path.join(dir, 'docker-compose.sandbox.yml'), `${COMPOSE}    volumes: ["\${KTRDR_DATA_DIR}:/app/data"]\n`);
  };

  it('the engine cannot mount the overlay (probe) → refused in one line before compose runs or anything is written', async () => {
    withOverlayFile();
    const probed: string[] = [];
    const overlay = { probe: async (d: string) => (probed.push(d), 'the engine cannot mount an overlay volume: invalid argument') };
    const err = await upInstance(deps({ overlay }), { id: ID }, {}, (e) => events.push(e)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^shared\.overlay: this engine cannot give ktrdr--up an overlay of the shared folders: the engine cannot mount/,
    );
    expect((err as { code: string }).code).toBe('STATE');
    expect((err as { hint: string }).hint).toMatch(/Nothing was started/);
    expect(probed).toEqual([path.join('/tmp/fake-home', 'instances', ID, 'overlay', `.probe-${fakeEnv().pid}`)]);
    expect(steps()).toContain('shared-overlay:failed');
    expect(calls).toEqual(['ping']); // no secrets read, no compose
    expect(files.exists(path.join('/tmp/fake-home', 'instances', ID, 'compose.override.yml'))).toBe(false);
  });

  it('a shared folder no service binds as a whole: said as a warning, nothing probed or overlaid (never claimed)', async () => {
    files.put(path.join(dir, 'ktrdr-sandbox.yml'), MANIFEST);
    files.put(path.join(dir, 'docker-compose.sandbox.yml'), `${COMPOSE}    volumes: ["\${KTRDR_DATA_DIR}/csv:/app/csv"]\n`);
    const probed: string[] = [];
    await upInstance(deps({ overlay: { probe: async (d: string) => (probed.push(d), null) } }), { id: ID }, {}, (e) => events.push(e));
    expect(probed).toEqual([]);
    expect(steps()).toContain('shared-overlay-unused:warning');
    expect(steps()).not.toContain('shared-overlay:passed');
    const warning = events.find((e) => e.type === 'step' && e.id === 'shared-overlay-unused');
    expect(warning && 'label' in warning ? warning.label : '').toMatch(/^Shared data: no service binds KTRDR_DATA_DIR \(.*\) as a whole/);
  });

  it('the probe passes → the override points the bind at the overlay volume, whose upper and work directories exist', async () => {
    withOverlayFile();
    const r = await upInstance(deps({ overlay: { probe: async () => null } }), { id: ID }, {}, (e) => events.push(e));
    expect(r.gate?.passed).toBe(true);
    expect(steps()).toEqual(expect.arrayContaining(['shared-overlay:passed', 'compose-up:passed']));
    const text = files.readText(path.join('/tmp/fake-home', 'instances', ID, 'compose.override.yml'))!;
    const doc = JSON.parse(text.slice(text.indexOf('{')));
    expect(doc.services.backend.volumes).toEqual(['ktrdr-overlay-data:/app/data:nocopy']);
    expect(doc.volumes['ktrdr-overlay-data'].driver_opts.o).toBe(
      `lowerdir=${path.join(dir, 'shared', 'data')},upperdir=/tmp/fake-home/instances/${ID}/overlay/data/upper,workdir=/tmp/fake-home/instances/${ID}/overlay/data/work`,
    );
    expect(files.exists(`/tmp/fake-home/instances/${ID}/overlay/data/upper`)).toBe(true);
    expect(files.exists(`/tmp/fake-home/instances/${ID}/overlay/data/work`)).toBe(true);
  });

  it('an instance on a remote engine is refused before anything (no sync, no probe)', async () => {
    withOverlayFile();
    const remote = { endpoint: 'ssh://me@far', alive: async () => true, forwarded: () => [], forwardPorts: async () => [] } as never;
    const remotes = { connect: async () => ({ name: 'far', remote }) } as never;
    const probe = async () => {
      throw new Error('must not probe');
    };
    const err = await upInstance(deps({ remotes, overlay: { probe } }), { id: ID }, {}, (e) => events.push(e)).catch((e: unknown) => e);
    expect((err as Error).message).toBe('shared.overlay needs the local engine: ktrdr--up runs on far (ssh://me@far)');
    expect(calls).toEqual([]);
  });
});

describe("upInstance with the instance's own shared overlay choice (registry sharedOverlay)", () => {
  const manifest = (overlay: string) => `version: 1
compose: { files: [docker-compose.sandbox.yml] }
ports: []
shared: { mounts: { data: KTRDR_DATA_DIR }${overlay} }
`;
  const put = (overlay: string) => {
    files.put(path.join(dir, 'ktrdr-sandbox.yml'), manifest(overlay));
    files.put(path.join(dir, 'docker-compose.sandbox.yml'), `${COMPOSE}    volumes: ["\${KTRDR_DATA_DIR}:/app/data"]\n`);
  };
  const overrideDoc = () => {
    const text = files.readText(path.join('/tmp/fake-home', 'instances', ID, 'compose.override.yml'))!;
    return JSON.parse(text.slice(text.indexOf('{')));
  };

  it('on (the manifest asks for none) → probed, and the bind becomes its overlay volume', async () => {
    put('');
    reg.instances[ID]!.sharedOverlay = true;
    const probed: string[] = [];
    await upInstance(deps({ overlay: { probe: async (d: string) => (probed.push(d), null) } }), { id: ID }, {}, (e) => events.push(e));
    expect(probed).toHaveLength(1);
    expect(overrideDoc().services.backend.volumes).toEqual(['ktrdr-overlay-data:/app/data:nocopy']);
  });

  it('off (the manifest overlays data) → no probe, the shared folder mounted read-write as the compose file says', async () => {
    put(', overlay: true');
    reg.instances[ID]!.sharedOverlay = false;
    const probe = async () => {
      throw new Error('must not probe');
    };
    await upInstance(deps({ overlay: { probe } }), { id: ID }, {}, (e) => events.push(e));
    expect(steps()).not.toContain('shared-overlay:passed');
    expect(overrideDoc().volumes ?? {}).not.toHaveProperty('ktrdr-overlay-data');
    expect(overrideDoc().services?.backend?.volumes).toBeUndefined();
  });

  it('a folder the manifest no longer shares → refused in one line before compose', async () => {
    put('');
    reg.instances[ID]!.sharedOverlay = ['models'];
    const err = await upInstance(deps(), { id: ID }, {}, (e) => events.push(e)).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`the instance's shared overlay names "models", not in shared.mounts`);
    expect(calls.filter((c) => c.startsWith('compose'))).toEqual([]);
  });

  it('on, for an instance on a remote engine → refused, the hint naming its own switch', async () => {
    put('');
    reg.instances[ID]!.sharedOverlay = true;
    const remote = { endpoint: 'ssh://me@far', alive: async () => true, forwarded: () => [], forwardPorts: async () => [] } as never;
    const remotes = { connect: async () => ({ name: 'far', remote }) } as never;
    const err = await upInstance(deps({ remotes }), { id: ID }, {}, (e) => events.push(e)).catch((e: unknown) => e);
    expect((err as Error).message).toBe('The shared overlay of ktrdr--up needs the local engine: ktrdr--up runs on far (ssh://me@far)');
    expect((err as { hint: string }).hint).toContain('`ktrdr-sandbox shared overlay ktrdr--up off`');
  });
});
