// Where readiness comes from (issue 15) and one failure model (issues 10, 11), on the slow-interval fixture
// (tests/fixtures/slow-health: KTRDR's 10 s / 30 s healthchecks and service_healthy chain): the gate passes on
// the services' own healthchecks long before Docker reports them healthy; a failing healthcheck, an HTTP
// check failing beside a passing healthcheck and a service exiting at start each fail the gate as they should.
import { execa } from 'execa';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeWorld, ROOT, type World } from './world';

const SLOW = join(ROOT, 'tests', 'fixtures', 'slow-health');
let w: World;
let inst: { id: string; path: string };

async function healths(project: string): Promise<Record<string, string>> {
  const r = await execa('docker', [
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Label "com.docker.compose.service"}} {{.Status}}',
  ]);
  return Object.fromEntries(
    String(r.stdout)
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [svc, ...rest] = l.split(' ');
        const st = rest.join(' ');
        return [
          svc!,
          /\(healthy\)/.test(st) ? 'healthy' : /health: starting/.test(st) ? 'starting' : /unhealthy/.test(st) ? 'unhealthy' : st,
        ];
      }),
  );
}

beforeAll(async () => {
  w = await makeWorld('rdy-slow');
  for (const f of ['docker-compose.slow.yml', 'ktrdr-sandbox.yml']) await cp(join(SLOW, f), join(w.repo, f));
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', 'slow-interval fixture');
  const c = await w.cli(['create', 'rdy-a', '--json']);
  expect(c.code, c.stdout + c.stderr).toBe(0);
  inst = c.json.instance;
});
afterAll(async () => {
  await w?.cleanup();
});

describe('readiness on the slow-interval fixture', () => {
  it("up passes the gate on the services' own healthchecks, well before Docker reports every container healthy", async () => {
    const up = await w.cli(['up', '--json'], { cwd: inst.path });
    const upDone = Date.now();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const gate = up.json.gate;
    expect(gate.passed).toBe(true);
    const atReturn = await healths(inst.id);
    // Docker checks the workers 30 s after they start: at the verdict it has not yet
    expect(Object.values(atReturn)).toContain('starting');
    expect(gate.readiness['worker-1']).toMatchObject({ ready: true, source: 'probe', dockerHealth: 'starting' });
    expect(gate.readiness['worker-2']).toMatchObject({ ready: true, source: 'probe', dockerHealth: 'starting' });
    for (const s of ['db', 'backend']) expect(['probe', 'docker'], s).toContain(gate.readiness[s].source);
    // a raw `up -d` alone waits ≥ 10 s (db) + 30 s (backend) on Docker's clock: ours is well under that
    expect(up.ms).toBeLessThan(40_000);
    // PASSED first, Docker's "healthy" for every container later
    let allHealthyAt = 0;
    for (let i = 0; i < 90 && !allHealthyAt; i++) {
      const h = await healths(inst.id);
      if (Object.keys(h).length === 4 && Object.values(h).every((x) => x === 'healthy')) allHealthyAt = Date.now();
      else await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(allHealthyAt, 'Docker never reported every container healthy within 90 s').toBeGreaterThan(0);
    expect(allHealthyAt - upDone).toBeGreaterThan(5_000);
    process.stdout.write(
      `[readiness] up+gate ${up.ms} ms (gate ${gate.elapsedMs} ms); Docker all healthy ${allHealthyAt - upDone} ms after PASSED\n`,
    );
  });

  it('an HTTP check that fails still fails the gate although every healthcheck passes', async () => {
    const manifest = join(inst.path, 'ktrdr-sandbox.yml');
    const original = await readFile(manifest, 'utf8');
    await writeFile(
      manifest,
      original.replace(
        '  checks:\n',
        '  checks:\n    - { name: info, label: Info endpoint, http: { url: "http://127.0.0.1:${KTRDR_API_PORT}/api/v1/nope" }, service: backend }\n',
      ),
    );
    try {
      const g = await w.cli(['gate', '--timeout', '6', '--json'], { cwd: inst.path });
      expect(g.code, g.stdout + g.stderr).toBe(2);
      const failed = g.json.gate.checks.filter((c: any) => c.state === 'failed');
      expect(failed.map((c: any) => c.name)).toEqual(['info']);
      expect(failed[0].message).toMatch(/timed out after 6s: GET .*\/api\/v1\/nope → 404/);
      expect(failed[0].failure).toMatchObject({ service: 'backend', reason: 'timed-out' });
      expect(g.json.gate.checks.find((c: any) => c.name === 'containers').state).toBe('passed');
    } finally {
      await writeFile(manifest, original);
    }
  });

  it('a service that exits at start fails the gate within seconds, with its exit code, log tail and a hint', async () => {
    const manifest = join(inst.path, 'ktrdr-sandbox.yml');
    const original = await readFile(manifest, 'utf8');
    await writeFile(
      join(inst.path, 'docker-compose.crash.yml'),
      'services:\n  crasher:\n    image: ktrdr-sandbox-fixture:1\n    command: ["sh", "-c", "echo starting crasher; echo \\"ImportError: No module named ktrdr_missing\\" >&2; exit 3"]\n',
    );
    await writeFile(
      manifest,
      original
        .replace('files: [docker-compose.slow.yml]', 'files: [docker-compose.slow.yml, docker-compose.crash.yml]')
        .replace('  timeout: 120\n', '  timeout: 120\n  containers: { gate: [db, backend, worker-1, worker-2, crasher] }\n'),
    );
    try {
      const up = await w.cli(['up', '--json'], { cwd: inst.path });
      expect(up.code, up.stdout + up.stderr).toBe(2);
      const gate = up.json.error?.details?.gate ?? up.json.gate;
      expect(gate, up.stdout).toBeTruthy();
      const failed = gate.checks.filter((c: any) => c.state === 'failed');
      expect(failed.map((c: any) => c.name)).toEqual(['containers']);
      expect(failed[0].message).toMatch(/^crasher exited with code 3/);
      expect(failed[0].failure).toMatchObject({ service: 'crasher', reason: 'exited', exitCode: 3 });
      expect(failed[0].failure.logTail.join('\n')).toContain('ImportError: No module named ktrdr_missing');
      expect(failed[0].failure.hint).toMatch(/crasher crashed with exit code 3/);
      expect(gate.elapsedMs).toBeLessThan(5_000);
      const text = await w.cli(['gate', '--timeout', '30'], { cwd: inst.path });
      expect(text.code).toBe(2);
      expect(text.stdout).toContain('crasher exited with code 3');
      expect(text.stdout).toContain('ImportError: No module named ktrdr_missing');
      expect(text.stdout).toMatch(/Fix:.*crasher crashed with exit code 3/);
    } finally {
      await writeFile(manifest, original);
    }
  });

  it("a service whose own healthcheck fails fails the gate, with the healthcheck's output", async () => {
    const c = await w.cli(['create', 'rdy-b', '--json']);
    expect(c.code, c.stdout + c.stderr).toBe(0);
    const b = c.json.instance;
    const up = await w.cli(['up', '--json', '--timeout', '20'], { cwd: b.path, env: { BACKEND_HEALTH_PATH: '/api/v1/nope' } });
    expect(up.code, up.stdout + up.stderr).toBe(2);
    const gate = up.json.error?.details?.gate ?? up.json.gate;
    expect(gate.passed).toBe(false);
    expect(gate.readiness.backend).toMatchObject({ ready: false });
    expect(gate.readiness.backend.probeFailure).toMatch(/curl .*\/api\/v1\/nope exited 22/);
    expect(up.ms).toBeLessThan(60_000);
    await w.cli(['destroy', '--force'], { cwd: b.path });
  });
});
