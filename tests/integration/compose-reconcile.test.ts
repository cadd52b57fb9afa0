// KTRDR's current compose shape with zero configuration, for real: no grafana/jaeger/prometheus in the file
// (observability is shared), an external network and an external volume, one port published on all
// interfaces. `up` refuses before compose while the externals are missing (nothing of the project is left),
// `up --create-externals` passes the gate with the three observability checks skipped (reason given) and
// their links hidden everywhere; the lint is one line; `destroy` keeps the externals (the user's).
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { git, makeWorld, projectResources, type World } from './world';

const tag = randomBytes(3).toString('hex');
const NET = `cmp-shared-obs-${tag}`;
const VOL = `cmp-shared-models-${tag}`;
const SKIPPED = ['grafana', 'jaeger', 'prometheus'];

let w: World;
let inst: { id: string; path: string; slot: number; links: { name: string }[] };

const docker = (...args: string[]) => execa('docker', args, { reject: false });
const exists = async (kind: 'network' | 'volume', name: string) => (await docker(kind, 'inspect', name)).exitCode === 0;

beforeAll(async () => {
  w = await makeWorld(`cmp-current-${tag}`);
  // The fixture turned into KTRDR's current shape, in this world's repository only.
  const file = join(w.repo, 'docker-compose.sandbox.yml');
  const doc = parse(await readFile(file, 'utf8'), { merge: true }) as Record<string, any>;
  for (const s of SKIPPED) delete doc.services[s];
  doc.services.backend.networks = ['default', 'shared-observability'];
  doc.services.backend.volumes.push('shared-models:/app/shared-models');
  doc.services.backend.ports = ['${KTRDR_API_PORT:-8000}:8000']; // on all interfaces: one lint warning
  doc.networks = { 'shared-observability': { external: true, name: NET } };
  doc.volumes['shared-models'] = { external: true, name: VOL };
  await writeFile(file, stringify(doc));
  await git(w.repo, 'commit', '-qam', 'current shape: shared observability');
  const c = await w.cli(['create', 'cur', '--slot', '8', '--json']);
  expect(c.code, c.stderr + c.stdout).toBe(0);
  inst = c.json.instance;
  expect(inst.path).toBeTruthy();
});

afterAll(async () => {
  await w?.cleanup();
  // the externals this file created (unique names): the product keeps them, the test does not
  await docker('network', 'rm', NET);
  await docker('volume', 'rm', VOL);
});

describe('the current KTRDR shape with zero configuration', () => {
  it('create prints no links of absent services; ports keeps every column and marks the unused ones', async () => {
    expect(inst.links.map((l) => l.name)).toEqual(['api']);
    const again = await w.cli(['status', inst.id, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.instance.links.map((l: any) => l.name)).toEqual(['api']);
    const ports = await w.cli(['ports', '--slot', '8', '--json']);
    expect(ports.code).toBe(0);
    const row = ports.json.slots[0].ports as { name: string; port: number; used: boolean }[];
    expect(row).toHaveLength(13);
    expect(row.filter((p) => !p.used).map((p) => p.name)).toEqual([
      'grafana',
      'jaeger',
      'prometheus',
      'otlp-grpc',
      'otlp-http',
      'design-agent',
      'assessment-agent',
    ]);
    expect(row.find((p) => p.name === 'grafana')?.port).toBe(3008); // the slot table is unchanged
    const human = await w.cli(['ports', '--slot', '8']);
    expect(human.stdout).toContain('GRAFANA*');
    expect(human.stdout).toContain('* unused: no compose file reads KTRDR_GRAFANA_PORT');
  });

  it('up stops before compose while an external network/volume is missing, naming both; nothing is left behind', async () => {
    expect(await exists('network', NET)).toBe(false);
    const r = await w.cli(['up'], { cwd: inst.path });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const text = r.stdout + r.stderr;
    expect(text).toContain(`network "${NET}"`);
    expect(text).toContain(`volume "${VOL}"`);
    expect(text).toContain('up --create-externals');
    expect(text).not.toContain('compose up -d');
    expect(await projectResources(inst.id)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(await exists('network', NET)).toBe(false);
    expect(await exists('volume', VOL)).toBe(false);
  });

  it('up --create-externals creates them labelled, and the gate passes with the observability checks skipped', async () => {
    const r = await w.cli(['up', '--create-externals', '--json'], { cwd: inst.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const checks = r.json.gate.checks as { name: string; state: string; message: string }[];
    expect(r.json.gate.passed).toBe(true);
    for (const n of SKIPPED) {
      expect(checks.find((c) => c.name === n)).toMatchObject({
        state: 'skipped',
        message: `skipped: service ${n} is not in docker-compose.sandbox.yml`,
      });
    }
    expect(checks.filter((c) => c.state === 'passed').map((c) => c.name)).toEqual([
      'database',
      'migrations',
      'backend',
      'workers',
      'containers',
      'isolation',
    ]);
    expect(r.json.instance.links.map((l: any) => l.name)).toEqual(['api']);
    // the lint, in full in --json
    expect(r.json.lint.map((f: any) => f.name)).toEqual(['port-binding']);
    for (const [kind, name] of [
      ['network', NET],
      ['volume', VOL],
    ] as const) {
      const labels = JSON.parse(String((await docker(kind, 'inspect', '-f', '{{json .Labels}}', name)).stdout));
      expect(labels).toMatchObject({ 'dev.ktrdr-sandbox.role': 'external' });
    }
  });

  it('a second up prints the lint as one line and the skipped checks with their reason', async () => {
    const r = await w.cli(['up'], { cwd: inst.path });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('compose lint: 1 warning — `ktrdr-sandbox doctor` for details');
    expect(r.stdout).not.toContain('publishes');
    for (const n of SKIPPED)
      expect(r.stdout).toMatch(new RegExp(`○ \\w+ ready skipped: service ${n} is not in docker-compose.sandbox.yml`));
    expect(r.stdout).toContain('PASSED');
    expect(r.stdout).not.toMatch(/Grafana:|Jaeger:|Prometheus:/);
    const doctor = await w.cli(['doctor', '--json'], { cwd: inst.path });
    expect(doctor.json.checks.find((c: any) => c.name === 'port-binding')?.message).toContain('on all interfaces');
  });

  it('status probes no absent endpoint; url hides the links; evidence reports the skipped checks', async () => {
    const s = await w.cli(['status', '--json'], { cwd: inst.path });
    expect(s.json.endpoints.map((e: any) => [e.name, e.ok])).toEqual([
      ['backend', true],
      ['workers', true],
    ]);
    const url = await w.cli(['url', '--json'], { cwd: inst.path });
    expect(url.json.links.map((l: any) => l.name)).toEqual(['api']);
    const g = await w.cli(['url', 'grafana'], { cwd: inst.path });
    expect(g.code).toBe(1);
    expect(g.stderr + g.stdout).toContain('service grafana is not in docker-compose.sandbox.yml');
    const ev = await w.cli(['evidence', '--json'], { cwd: inst.path });
    expect(ev.code, ev.stderr).toBe(0);
    const summary = await readFile(join(ev.json.evidence.dir, 'SUMMARY.md'), 'utf8');
    expect(summary).toContain('**Verdict: PASSED**');
    expect(summary).toContain('- ○ Grafana ready (grafana): skipped: service grafana is not in docker-compose.sandbox.yml');
  });

  it("destroy leaves the externals: they are the user's to keep", async () => {
    const d = await w.cli(['destroy', inst.id, '--force', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(await projectResources(inst.id)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(await exists('network', NET)).toBe(true);
    expect(await exists('volume', VOL)).toBe(true);
  });
});
