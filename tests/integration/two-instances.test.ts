// The heart of the product, end to end against the real engine: two instances of one repository up side by
// side, isolated in ports, containers, volumes, networks and source (hot reload); the gate catching a dead
// worker; destroy refusing dirty work and then removing everything.
import { execa } from 'execa';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, httpGet, makeWorld, projectResources, waitDockerHealthy, type World } from './world';

let w: World;
let a: any;
let b: any;
const api = (i: any) => `http://127.0.0.1:${8000 + i.slot}`;

beforeAll(async () => {
  w = await makeWorld();
});
afterAll(async () => {
  await w?.cleanup();
});

describe('two instances side by side', () => {
  it('creates two worktrees on distinct slots with every URL printed', async () => {
    const ra = await w.cli(['create', 'feat-a', '--json']);
    expect(ra.code, ra.stderr + ra.stdout).toBe(0);
    const rb = await w.cli(['create', 'feat-b', '--json']);
    expect(rb.code, rb.stderr + rb.stdout).toBe(0);
    a = ra.json.instance;
    b = rb.json.instance;
    expect(ra.json.schema).toBe('ktrdr-sandbox/create@1');
    expect(a.id).toBe('ktrdr--feat-a');
    expect(a.path).toBe(join(w.root, 'src', 'ktrdr--feat-a'));
    // lowest free slots, in order (1 and 2 on a quiet machine)
    expect(a.slot).toBeGreaterThanOrEqual(1);
    expect(b.slot).toBeGreaterThan(a.slot);
    expect(a.links.map((l: any) => l.url)).toContain(`http://localhost:${8000 + a.slot}/api/v1/docs`);
    expect(await git(a.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feat-a');
    const env = await readFile(join(a.path, '.env.sandbox'), 'utf8');
    expect(env).toMatch(/^COMPOSE_PROJECT_NAME=ktrdr--feat-a$/m);
    expect(env).toMatch(new RegExp(`^KTRDR_API_PORT=${8000 + a.slot}$`, 'm'));
    expect(env).toMatch(new RegExp(`^KTRDR_DATA_DIR=${w.home}/.ktrdr/shared/data$`, 'm'));
    expect(env).not.toMatch(/PASSWORD/);
    // human output names location, slot and URLs
    const human = await w.cli(['list']);
    expect(human.stdout).toMatch(new RegExp(`ktrdr--feat-a\\s+${a.slot}\\s+stopped\\s+${8000 + a.slot}`));
  });

  it('brings both up at once; both gates pass', async () => {
    const [ua, ub] = await Promise.all([
      w.cli(['up', '--json'], { cwd: a.path }),
      w.cli(['up', '--json'], { cwd: join(b.path, 'backend') }),
    ]);
    expect(ua.code, ua.stdout + ua.stderr).toBe(0);
    expect(ub.code, ub.stdout + ub.stderr).toBe(0);
    for (const u of [ua, ub]) {
      expect(u.json.gate.passed).toBe(true);
      const names = u.json.gate.checks.map((c: any) => `${c.name}:${c.state}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'database:passed',
          'migrations:passed',
          'backend:passed',
          'workers:passed',
          'grafana:passed',
          'jaeger:passed',
          'prometheus:passed',
          'containers:passed',
        ]),
      );
    }
    expect((await httpGet(`${api(a)}/api/v1/health`)).status).toBe(200);
    expect((await httpGet(`${api(b)}/api/v1/health`)).status).toBe(200);
    const workers = JSON.parse((await httpGet(`${api(b)}/api/v1/workers`)).body);
    expect(workers.workers.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps ports, containers, volumes and networks disjoint', async () => {
    const ra = await projectResources(a.id);
    const rb = await projectResources(b.id);
    expect(ra.containers.length).toBe(9);
    expect(rb.containers.length).toBe(9);
    expect(ra.volumes.length).toBeGreaterThanOrEqual(1);
    expect(ra.networks.length).toBe(1);
    for (const k of ['containers', 'volumes', 'networks'] as const) expect(ra[k].filter((x) => rb[k].includes(x))).toEqual([]);
    const portsA = a.ports.map((p: any) => p.port);
    const portsB = b.ports.map((p: any) => p.port);
    expect(portsA.filter((p: number) => portsB.includes(p))).toEqual([]);
    // what Docker really publishes
    const published = async (id: string) =>
      String((await execa('docker', ['ps', '--filter', `label=com.docker.compose.project=${id}`, '--format', '{{.Ports}}'])).stdout);
    const pa = await published(a.id);
    expect(pa).toContain(`127.0.0.1:${8000 + a.slot}->8000/tcp`);
    expect(pa).not.toContain(`:${8000 + b.slot}->`);
  });

  it('hot-reloads each instance from its own source only', async () => {
    const before = JSON.parse((await httpGet(`${api(b)}/api/v1/info`)).body).message;
    await writeFile(join(a.path, 'backend', 'message.txt'), 'edited in A\n');
    const infoA = JSON.parse((await httpGet(`${api(a)}/api/v1/info`)).body);
    const infoB = JSON.parse((await httpGet(`${api(b)}/api/v1/info`)).body);
    expect(infoA.instance).toBe(a.id);
    expect(infoA.message).toBe('edited in A');
    expect(infoB.message).toBe(before);
    expect(infoB.message).not.toBe('edited in A');
  });

  it('list and status read Docker: running, 9/9 healthy, endpoints answering', async () => {
    // Docker's own health lags the gate (which ran the healthchecks itself): list/status show Docker's view
    await waitDockerHealthy(a.id, 9);
    await waitDockerHealthy(b.id, 9);
    const l = await w.cli(['list', '--json']);
    expect(l.code).toBe(0);
    expect(l.json.schema).toBe('ktrdr-sandbox/list@1');
    const byId = Object.fromEntries(l.json.instances.map((i: any) => [i.id, i]));
    expect(byId[a.id].status).toBe('running');
    expect(byId[b.id].containers).toMatchObject({ running: 9, total: 9 });
    expect(byId[a.id].lastGate.passed).toBe(true);
    const s = await w.cli(['status', b.id, '--json']);
    expect(s.code).toBe(0);
    expect(s.json.instance.containers.healthy).toBe(9);
    expect(s.json.services.find((x: any) => x.service === 'db').health).toBe('healthy');
    const api = s.json.endpoints.find((e: any) => e.name === 'backend');
    expect(api.ok).toBe(true);
    expect(s.json.endpoints.find((e: any) => e.name === 'workers').detail).toMatch(/registered/);
  });

  it('up is idempotent on a running instance', async () => {
    const again = await w.cli(['up', '--json'], { cwd: a.path });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.json.gate.passed).toBe(true);
  });

  it('fails the gate (exit 2) when a worker is stopped, naming it with its log tail; containers stay up', async () => {
    await execa('docker', ['stop', '-t', '1', `${b.id}_training-worker-2_1`]).catch(() =>
      execa('docker', ['stop', '-t', '1', `${b.id}-training-worker-2-1`]),
    );
    const g = await w.cli(['gate', '--timeout', '30'], { cwd: b.path });
    expect(g.code, g.stdout).toBe(2);
    expect(g.stdout).toContain('Startability Gate: FAILED');
    expect(g.stdout).toMatch(/training-worker-2/);
    expect(g.stdout).toMatch(/Last \d+ log lines of training-worker-2/);
    const gj = await w.cli(['gate', '--timeout', '30', '--json'], { cwd: b.path });
    expect(gj.code).toBe(2);
    const containers = gj.json.gate.checks.find((c: any) => c.name === 'containers');
    expect(containers.state).toBe('failed');
    expect(Object.keys(gj.json.gate.logTails)).toContain('training-worker-2');
    expect((await projectResources(b.id)).containers.length).toBe(9);
    expect((await httpGet(`${api(b)}/api/v1/health`)).status).toBe(200);
  });

  it('refuses to destroy a worktree with uncommitted work, touching nothing (unpushed commits are kept with the branch)', async () => {
    await appendFile(join(a.path, 'backend', 'message.txt'), 'more\n');
    const r = await w.cli(['destroy', a.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Refusing to destroy');
    expect(r.stderr).toContain(a.path);
    expect(existsSync(a.path)).toBe(true);
    expect((await projectResources(a.id)).containers.length).toBe(9);
    await git(a.path, 'commit', '-qam', 'work in A');
    await writeFile(join(a.path, 'scratch.txt'), 'not committed\n');
    const r2 = await w.cli(['destroy', a.id, '--json']);
    expect(r2.code).toBe(1);
    expect(r2.json.error.code).toBe('DIRTY_WORK');
    expect(r2.json.error.details[0].atRisk).toEqual([{ kind: 'untracked', path: 'scratch.txt' }]);
    // the commit is not a reason to refuse: the branch (and so the commit) is kept
    expect(r2.json.error.details[0].keptCommits).toMatchObject({ count: 1, branch: 'feat-a' });
  });

  it('destroy --force removes containers, volumes, networks, the worktree and the slot', async () => {
    const r = await w.cli(['destroy', a.id, '--force', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.destroyed[0]).toMatchObject({ id: a.id, worktreeRemoved: true, branchKept: 'feat-a' });
    expect(await projectResources(a.id)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(existsSync(a.path)).toBe(false);
    expect(await git(w.repo, 'worktree', 'list')).not.toContain('ktrdr--feat-a');
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(Object.keys(reg.instances)).toEqual([b.id]);
    // the slot is free again: a create can have it back (asked by number: a lower slot held a moment ago by
    // another project's container is no longer blacklisted, so the lowest free slot may be a lower one now)
    const c = await w.cli(['create', 'feat-c', '--slot', String(a.slot), '--json']);
    expect(c.code, c.stdout).toBe(0);
    expect(c.json.instance.slot).toBe(a.slot);
    // destroy by cwd, from deep inside the instance
    const d = await w.cli(['destroy', '--force'], { cwd: join(b.path, 'backend') });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(b.path);
    expect(await projectResources(b.id)).toEqual({ containers: [], volumes: [], networks: [] });
  });
});
