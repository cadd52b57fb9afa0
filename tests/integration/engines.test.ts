// `engines` against two real engines: the local one and a "remote host" (Docker engine + sshd in a container,
// reached over ssh on 127.0.0.1 through a docker context). Also records what the later remote-instance work
// builds on: how compose v1 and our dockerode adapter reach an ssh engine.
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/adapters/engine';
import { parseDockerHost } from '../../main/adapters/docker-endpoint';
import { buildRemoteHostImage, startRemoteHost, type RemoteHost } from './remote-host';
import { makeWorld, type World } from './world';

let world: World;
let remote: RemoteHost;
let instanceId: string;
const t0 = Date.now();

interface Row {
  name: string;
  endpoint: string;
  current: boolean;
  reachable: boolean;
  error?: string;
  latencyMs: number;
  version: string | null;
  cpus: number | null;
  memory: { total: number | null; used: number | null; free: number | null; measured: number; running: number };
  sandboxes: Array<{ id: string; registered: boolean; containers: number; memoryUsed: number | null; cpuPercent: number | null }>;
  fit?: Array<{ id: string; needBytes: number; source: string; fits: boolean | null }>;
}

const engines = async () => {
  const r = await world.cli(['engines', '--json'], { env: remote.env, timeoutMs: 20_000 });
  expect(r.code, r.stderr).toBe(0);
  expect(r.json.schema).toBe('ktrdr-sandbox/engines@1');
  const by = Object.fromEntries((r.json.engines as Row[]).map((e) => [e.name, e]));
  return { ...r, by };
};

beforeAll(async () => {
  world = await makeWorld('engtwo');
  await buildRemoteHostImage();
  remote = await startRemoteHost({ root: world.root, home: world.home, name: 'engtwo' });
  const init = await world.cli(['init', '--json']);
  expect(init.code, init.stderr).toBe(0);
  instanceId = init.json.instance.id;
  // a "sandbox" on the remote engine: a container of the registered instance's compose project, so `engines`
  // has something to find and measure there (the image is copied over the engine connection)
  const copy = await execa('sh', ['-c', `docker save debian:bookworm-slim | docker --context ${remote.context} load -q`], {
    env: { ...process.env, ...remote.env },
    reject: false,
  });
  expect(copy.exitCode, copy.stderr).toBe(0);
  const run = await remote.docker([
    'run',
    '-d',
    '--name',
    'kts-eng-sandbox',
    '--restart',
    'unless-stopped',
    '--label',
    `com.docker.compose.project=${instanceId}`,
    '--label',
    'com.docker.compose.service=sandbox',
    '--label',
    'com.docker.compose.oneoff=False',
    'debian:bookworm-slim',
    'sleep',
    '600',
  ]);
  expect(run.code, run.stderr).toBe(0);
  process.stdout.write(`[engines] remote host ready on 127.0.0.1:${remote.port} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}, 180_000);

afterAll(async () => {
  await remote?.cleanup();
  await world?.cleanup();
});

describe('engines', () => {
  it('lists the local engine and the ssh context, both reachable, with version, CPUs, memory and the sandbox running there', async () => {
    // Every figure is bounded by the 2 s budget: on a loaded machine (CI running other stacks) a call may answer
    // with the remote stats unread (measured 0, never a late figure). Up to five calls; the first whose remote row
    // is reachable with its one container measured is the one checked.
    const complete = (x: Awaited<ReturnType<typeof engines>>) =>
      x.by[remote.context]?.reachable === true && x.by[remote.context]!.memory.measured === 1;
    let r = await engines();
    for (let i = 0; i < 4 && !complete(r); i++) r = await engines();
    const local = r.by.default!;
    expect(local).toMatchObject({ current: true, reachable: true, endpoint: expect.stringMatching(/^unix:\/\//) });
    const rem = r.by[remote.context]!;
    expect(rem, JSON.stringify(r.json)).toMatchObject({ current: false, reachable: true, endpoint: `ssh://root@127.0.0.1:${remote.port}` });
    expect(rem.version).toMatch(/^\d+\.\d+/);
    expect(rem.cpus).toBeGreaterThan(0);
    expect(rem.memory.total).toBeGreaterThan(256 * 1024 ** 2);
    // one container there, measured over ssh: free = total − its usage
    expect(rem.memory, 'the stats of the one container there were not read within the budget').toMatchObject({ running: 1, measured: 1 });
    expect(rem.memory.free).toBe(rem.memory.total! - rem.memory.used!);
    // CPU: read twice over ssh a tick apart, within the same 2 s. When the second reading misses the budget (a
    // loaded CI machine) the figure is null, never late; a few calls must bring a figure (an idle `sleep`: small)
    expect(rem.sandboxes).toEqual([
      { id: instanceId, registered: true, containers: 1, memoryUsed: rem.memory.used, cpuPercent: rem.sandboxes[0]!.cpuPercent },
    ]);
    let cpu = rem.sandboxes[0]!.cpuPercent;
    for (let i = 0; cpu === null && i < 4; i++) cpu = (await engines()).by[remote.context]!.sandboxes[0]?.cpuPercent ?? null;
    expect(cpu, 'no CPU figure in 5 calls of `engines`').not.toBeNull();
    expect(cpu!).toBeGreaterThanOrEqual(0);
    expect(cpu!).toBeLessThan(50);
    expect(rem.latencyMs).toBeLessThan(2000);
    // the instance is recorded on the default engine and not running there: its fit there (the estimate `up` uses)
    // (fits: null when the local engine's containers, other stacks included, were not all measured in time)
    expect(local.fit).toEqual([{ id: instanceId, needBytes: expect.any(Number), source: expect.any(String), fits: local.fit![0]!.fits }]);
    expect(local.fit![0]!.needBytes).toBeGreaterThan(0);
    expect([true, false, null]).toContain(local.fit![0]!.fits);
    expect(['last-seen', 'compose-limits', 'default']).toContain(local.fit![0]!.source);
    expect(rem.fit).toEqual([]);
    // the human table names both
    const h = await world.cli(['engines'], { env: remote.env, timeoutMs: 20_000 });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/\* default\s+unix:\/\/\S+\s+reachable/);
    expect(h.stdout).toMatch(new RegExp(`${remote.context}\\s+ssh://root@127\\.0\\.0\\.1:${remote.port}\\s+reachable`));
    expect(h.stdout).toMatch(new RegExp(`${instanceId} \\S+ \\S+ (fits|does not fit|fit unknown)`));
    // its memory, and its CPU when this call's second stats round answered in time (the JSON calls above proved one did)
    expect(h.stdout).toMatch(new RegExp(`${instanceId} \\S+ \\S+( [\\d.]+% CPU)?`));
    // the last-seen memory the capacity check starts from
    const stats = await execa('cat', [join(world.home, '.ktrdr', 'sandbox', 'stats', `${instanceId}.json`)]);
    // written by the second `engines` call: a fresh reading, so only its shape is compared with the first
    const seen = JSON.parse(stats.stdout);
    expect(seen).toMatchObject({ engine: remote.context, containers: 1 });
    expect(seen.memoryBytes).toBeGreaterThan(0);
  });

  it('a stopped remote host is listed unreachable at once, without holding up the local engine; it comes back when started', async () => {
    await remote.stop();
    const r = await engines();
    process.stdout.write(
      `[engines] with the remote host stopped: answered in ${r.ms} ms (remote row ${r.by[remote.context]!.latencyMs} ms)\n`,
    );
    expect(r.by[remote.context]).toMatchObject({ reachable: false, version: null, sandboxes: [] });
    expect(r.by[remote.context]!.error).toMatch(/refused|not reachable/i);
    expect(r.by[remote.context]!.latencyMs).toBeLessThanOrEqual(2000);
    expect(r.by.default!.reachable).toBe(true);
    expect(r.ms).toBeLessThan(3000); // node start-up + the local engine's stats included, on a shared 2-core machine
    await remote.start();
    const back = await engines();
    expect(back.by[remote.context], back.by[remote.context]!.error).toMatchObject({ reachable: true });
  });

  it('a hung remote host (paused: the port accepts, nothing answers) is cut off at the 2 s deadline and the command ends', async () => {
    await execa('docker', ['pause', remote.container]);
    try {
      const r = await engines();
      process.stdout.write(
        `[engines] with the remote host hung: answered in ${r.ms} ms (remote row ${r.by[remote.context]!.latencyMs} ms)\n`,
      );
      expect(r.by[remote.context]).toMatchObject({ reachable: false, error: 'no answer within 2000 ms' });
      expect(r.by[remote.context]!.latencyMs).toBeGreaterThanOrEqual(2000);
      expect(r.by[remote.context]!.latencyMs).toBeLessThan(2500);
      expect(r.by.default!.reachable).toBe(true);
      expect(r.ms).toBeLessThan(3500); // the process does not linger on the hung connection
    } finally {
      await execa('docker', ['unpause', remote.container]);
    }
  });

  it('a context whose meta.json is broken is listed with the reason; the others still answer', async () => {
    const bad = join(world.home, '.docker', 'contexts', 'meta', 'f'.repeat(64));
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'meta.json'), JSON.stringify({ Name: 'kts-eng-broken', Endpoints: { docker: { Host: 'ftp://nowhere' } } }));
    const r = await engines();
    expect(r.by['kts-eng-broken']).toMatchObject({ reachable: false });
    expect(r.by['kts-eng-broken']!.error).toMatch(/wrong directory|Unsupported/);
    expect(r.by[remote.context]!.reachable, r.by[remote.context]!.error).toBe(true);
  });
});

describe('what remote instances will build on (findings)', () => {
  it('docker-compose v1 reaches the remote engine through an ssh-forwarded unix socket; DOCKER_HOST=ssh:// needs paramiko', async () => {
    const env = { ...process.env, ...remote.env };
    const paramiko = (await execa('python3', ['-c', 'import paramiko'], { reject: false })).exitCode === 0;
    const proj = join(world.root, 'compose-probe');
    await mkdir(proj, { recursive: true });
    await writeFile(join(proj, 'docker-compose.yml'), 'version: "3.7"\nservices:\n  sandbox:\n    image: debian:bookworm-slim\n');
    const direct = await execa('docker-compose', ['-p', 'kts-eng-probe', 'ps'], {
      cwd: proj,
      env: { ...env, DOCKER_HOST: `ssh://root@127.0.0.1:${remote.port}` },
      reject: false,
      timeout: 60_000,
    });
    if (paramiko) expect(direct.exitCode, direct.stderr).toBe(0);
    else expect(direct.stderr).toMatch(/paramiko/);
    // one ssh connection (ControlMaster) carrying a local unix socket forward of the remote docker.sock
    const sock = join(world.root, 'remote-docker.sock');
    const cm = join(world.root, 'cm.sock');
    const fwd = await execa(
      'ssh',
      [
        '-f',
        '-N',
        '-o',
        'ExitOnForwardFailure=yes',
        '-o',
        'ControlMaster=yes',
        '-o',
        `ControlPath=${cm}`,
        '-o',
        'ControlPersist=60',
        '-L',
        `${sock}:/var/run/docker.sock`,
        '-p',
        String(remote.port),
        'root@127.0.0.1',
      ],
      { env, reject: false, timeout: 20_000 },
    );
    expect(fwd.exitCode, fwd.stderr).toBe(0);
    try {
      const ps = await execa('docker-compose', ['-p', instanceId, 'ps', '-q'], {
        cwd: proj,
        env: { ...env, DOCKER_HOST: `unix://${sock}` },
        reject: false,
        timeout: 60_000,
      });
      expect(ps.exitCode, ps.stderr).toBe(0);
      // compose finds the remote container of that project, through the forward
      expect(String(ps.stdout).trim()).toMatch(/^[0-9a-f]{12,}$/);
    } finally {
      await execa('ssh', ['-o', `ControlPath=${cm}`, '-O', 'exit', '-p', String(remote.port), 'root@127.0.0.1'], { env, reject: false });
    }
  });

  it('our dockerode engine adapter lists containers over ssh only with the key in an ssh agent (ssh2 ignores ~/.ssh/config and default keys)', async () => {
    const ep = parseDockerHost(`ssh://root@127.0.0.1:${remote.port}`, 'DOCKER_HOST');
    const noAgent = { ...process.env, SSH_AUTH_SOCK: '' };
    await expect(createEngine(ep, { env: noAgent, queryTimeoutMs: 8000 }).listContainers({ all: true })).rejects.toThrow();
    const agentSock = join(world.root, 'agent.sock');
    const agent = await execa('ssh-agent', ['-a', agentSock, '-s'], { reject: false });
    expect(agent.exitCode, agent.stderr).toBe(0);
    const pid = /SSH_AGENT_PID=(\d+)/.exec(String(agent.stdout))?.[1];
    try {
      await execa('ssh-add', ['-q', remote.key], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
      // docker-modem reads the agent from the process environment only when DOCKER_HOST is ssh://
      const saved = { host: process.env.DOCKER_HOST, sock: process.env.SSH_AUTH_SOCK };
      process.env.DOCKER_HOST = `ssh://root@127.0.0.1:${remote.port}`;
      process.env.SSH_AUTH_SOCK = agentSock;
      try {
        const list = await createEngine(ep, { queryTimeoutMs: 8000 }).listContainers({ all: true });
        expect(list.map((c) => c.project)).toContain(instanceId);
      } finally {
        for (const [k, v] of [
          ['DOCKER_HOST', saved.host],
          ['SSH_AUTH_SOCK', saved.sock],
        ] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    } finally {
      if (pid) process.kill(Number(pid));
    }
  });
});
