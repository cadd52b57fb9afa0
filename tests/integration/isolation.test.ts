// Isolation on a shared network (issue 10 items 2 and 7), on KTRDR's current shape: a shared observability
// stack owns an external network and a collector; two instances of tests/fixtures/stack-current join it.
// Isolated (the default): both gates pass, each backend hears only its own workers, every service name resolves
// only to its own project inside every container, and the collector receives from both, each tagged with its
// instance. Isolation off: the pair is cross-wired and the gate FAILS with exit 2 naming the shared network.
import { execa } from 'execa';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeWorld, removeProject, ROOT, type World } from './world';

const tag = `${process.pid}`;
const NET = `ovr-obs-${tag}`;
const VOL = `ovr-cache-${tag}`;
const OBS = `ovrobs${tag}`;

let w: World;
let ids: string[] = [];
let collectorPort = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function rewrite(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replaceAll('ktrdr-observability', NET).replaceAll('ktrdr-shared-cache', VOL));
}

const obs = (...args: string[]) =>
  execa('docker-compose', ['-p', OBS, '-f', join(w.root, 'obs', 'docker-compose.yml'), ...args], {
    env: { OBS_COLLECTOR_PORT: String(collectorPort) },
    reject: false,
  });

/** Running containers of a project: id, service, every IP. */
async function containersOf(project: string): Promise<{ id: string; service: string; ips: string[] }[]> {
  const ids = String((await execa('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout)
    .split('\n')
    .filter(Boolean);
  const out = [];
  for (const id of ids) {
    const [service, ...ips] = String(
      (
        await execa('docker', [
          'inspect',
          '-f',
          '{{index .Config.Labels "com.docker.compose.service"}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
          id,
        ])
      ).stdout,
    )
      .trim()
      .split(/\s+/);
    if (
      !String((await execa('docker', ['inspect', '-f', '{{index .Config.Labels "com.docker.compose.oneoff"}}', id])).stdout).includes(
        'True',
      )
    )
      out.push({ id, service: service!, ips });
  }
  return out;
}

const SERVICES = ['db', 'backend', 'backtest-worker-1', 'backtest-worker-2', 'training-worker-1', 'training-worker-2'];

beforeAll(async () => {
  w = await makeWorld('ovr-iso');
  await cp(join(ROOT, 'tests', 'fixtures', 'stack-current'), w.repo, { recursive: true });
  await rewrite(join(w.repo, 'docker-compose.sandbox.yml'));
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', 'current shape');
  await cp(join(ROOT, 'tests', 'fixtures', 'shared-obs'), join(w.root, 'obs'), { recursive: true });
  await rewrite(join(w.root, 'obs', 'docker-compose.yml'));
  collectorPort = await freePort();
  await execa('docker', ['volume', 'create', VOL]);
  const up = await obs('up', '-d');
  if (up.exitCode !== 0) throw new Error(`shared-obs: ${up.stderr}`);
}, 120_000);

afterAll(async () => {
  await w?.cleanup();
  for (const id of ids) await removeProject(id);
  await obs('down', '-v', '--remove-orphans');
  await removeProject(OBS);
  await execa('docker', ['network', 'rm', NET], { reject: false });
  await execa('docker', ['volume', 'rm', VOL], { reject: false });
}, 120_000);

describe('isolation on a shared external network', () => {
  it('two isolated instances: gates pass, own workers only, names resolve to the own project, telemetry tagged', async () => {
    for (const name of ['iso-a', 'iso-b']) {
      // the lowest slot whose ports are free right now (the engine is shared: other stacks come and go)
      const c = await w.cli(['create', name, '--json']);
      expect(c.code, c.stderr).toBe(0);
      ids.push(c.json.instance.id);
    }
    for (const id of ids) {
      const r = await w.cli(['up', id, '--json']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const iso = r.json.gate.checks.find((c: { name: string }) => c.name === 'isolation');
      expect(iso.state, iso.message).toBe('passed');
    }
    // doctor explains the shared network and that isolation prevents the risk
    const doc = await w.cli(['doctor', ids[0]!, '--json']);
    const isoCheck = doc.json.checks.find((c: { name: string }) => c.name === 'isolation-observability');
    expect(isoCheck, doc.stdout).toMatchObject({ level: 'ok' });
    expect(isoCheck.message).toContain(NET);
    const projects = await Promise.all(ids.map(containersOf));
    for (const [i, id] of ids.entries()) {
      const mine = projects[i]!;
      const other = projects[1 - i]!;
      const myIps = new Set(mine.flatMap((c) => c.ips));
      const otherIps = new Set(other.flatMap((c) => c.ips));
      // every name, inside every container of this instance, resolves only to this instance
      for (const c of mine) {
        const script = SERVICES.map((s) => `getent hosts ${s} | sed 's/^/${s} /'`).join('; ');
        const out = String((await execa('docker', ['exec', c.id, 'sh', '-c', script], { reject: false })).stdout);
        const lines = out.split('\n').filter(Boolean);
        expect(lines.length, `${id}/${c.service}: ${out}`).toBeGreaterThanOrEqual(SERVICES.length);
        for (const l of lines) {
          const [svc, ip] = l.split(/\s+/);
          expect(myIps.has(ip!), `${id}/${c.service}: ${svc} → ${ip} (not this instance)`).toBe(true);
          expect(otherIps.has(ip!)).toBe(false);
        }
      }
      // the backend hears heartbeats only from this instance's workers (peer addresses in its request log)
      const backend = mine.find((c) => c.service === 'backend')!;
      const log = String((await execa('docker', ['logs', backend.id])).stdout);
      const peers = new Set([...log.matchAll(/ (\d+\.\d+\.\d+\.\d+) "POST \/api\/v1\/workers\/register/g)].map((m) => m[1]!));
      expect(peers.size, log.slice(-500)).toBeGreaterThanOrEqual(4);
      for (const p of peers) expect(myIps.has(p), `${id}: heartbeat from ${p}`).toBe(true);
    }
    // the collector (another project, connected by name to each instance's own network) receives from both, tagged
    let received: { body: { resource?: { 'service.name'?: string; attributes?: string } } }[] = [];
    for (let i = 0; i < 40; i++) {
      received = (await (await fetch(`http://127.0.0.1:${collectorPort}/received`)).json()) as typeof received;
      const tags = new Set(received.map((r) => r.body.resource?.attributes ?? ''));
      if (ids.every((id) => [...tags].some((t) => t.includes(`sandbox.instance=${id}`)))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const id of ids) {
      const mine = received.filter((r) => (r.body.resource?.attributes ?? '').split(',').includes(`sandbox.instance=${id}`));
      expect(mine.length, `telemetry of ${id}`).toBeGreaterThan(0);
      const backend = mine.find((r) => r.body.resource?.['service.name'] === 'backend');
      expect(backend?.body.resource?.attributes).toBe(`deployment.environment=sandbox,sandbox.instance=${id}`);
    }
  }, 300_000);

  it('isolation off: the cross-wired pair fails the gate with exit 2 naming the shared network', async () => {
    const [a, b] = ids as [string, string];
    expect((await w.cli(['down', b])).code).toBe(0);
    // B shares the network; A is still isolated, so nothing answers to B's names there: B passes
    const ub = await w.cli(['up', b, '--no-isolate', '--json']);
    expect(ub.code, ub.stderr + ub.stdout).toBe(0);
    expect((await w.cli(['down', a])).code).toBe(0);
    const nets = String((await execa('docker', ['network', 'ls', '--format', '{{.Name}}'])).stdout);
    expect(nets).not.toContain(`${a}_shared-`); // down removed what isolation created (the collector let go first)
    const ua = await w.cli(['up', a, '--no-isolate', '--json']);
    expect(ua.code, ua.stdout).toBe(2);
    const iso = ua.json.gate.checks.find((c: { name: string }) => c.name === 'isolation');
    expect(iso.state).toBe('failed');
    expect(iso.message).toContain(`"${NET}"`);
    expect(iso.message).toContain(`"${b}"`);
    const doc = await w.cli(['doctor', a, '--json']);
    expect(doc.json.checks.find((c: { name: string }) => c.name === 'isolation-observability')).toMatchObject({ level: 'warning' });
    const gb = await w.cli(['gate', b, '--json']);
    expect(gb.code).toBe(2);
    expect(gb.json.gate.checks.find((c: { name: string }) => c.name === 'isolation').message).toContain(NET);
    // the shared stack survives both instances going away
    for (const id of ids) expect((await w.cli(['destroy', id, '--force', '--json'])).code).toBe(0);
    ids = [];
    expect(String((await obs('ps', '-q')).stdout).trim()).not.toBe('');
  }, 300_000);
});
