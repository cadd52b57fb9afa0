// doctor against the real engine: passes on the fixture (repository and instance), flags a compose file with
// container_name, a fixed host port and a missing external network, and --fix creates the network.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, git, makeWorld, type World } from './world';

let w: World;
let bad: string;
const NET = `kts-doctor-${randomBytes(4).toString('hex')}`;

const networkExists = async (name: string) => (await execa('docker', ['network', 'inspect', name], { reject: false })).exitCode === 0;

beforeAll(async () => {
  w = await makeWorld();
  // A second repository whose compose file breaks the multi-instance rules.
  bad = join(w.root, 'src', 'unsafe');
  await cp(FIXTURE, bad, { recursive: true });
  const file = join(bad, 'docker-compose.sandbox.yml');
  const text = await readFile(file, 'utf8');
  const agent = [
    '  design-agent:',
    '    image: ktrdr-sandbox-fixture:1',
    '    container_name: design-agent',
    '    ports:',
    '      - "5010:5010"',
    '    volumes:',
    '      - ${KTRDR_AGENT_DATA}:/app/data',
    '    networks: [default, observability]',
    '',
    'volumes:',
  ].join('\n');
  await writeFile(file, `${text.replace(/^volumes:$/m, agent)}\nnetworks:\n  observability:\n    external: true\n    name: ${NET}\n`);
  await git(bad, 'init', '-q', '-b', 'main');
});

afterAll(async () => {
  await execa('docker', ['network', 'rm', NET], { reject: false });
  await w?.cleanup();
});

describe('doctor', () => {
  it('passes on the fixture repository', async () => {
    const r = await w.cli(['doctor', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.schema).toBe('ktrdr-sandbox/doctor@1');
    expect(r.json.target).toMatchObject({ kind: 'repository', path: w.repo });
    expect(r.json.passed).toBe(true);
    const levels = Object.fromEntries(r.json.checks.map((c: any) => [c.name, c.level]));
    expect(levels).toMatchObject({ engine: 'ok', compose: 'ok', git: 'ok', disk: 'ok', 'compose-lint': 'ok' });
    expect(r.json.checks.find((c: any) => c.name === 'engine').message).toMatch(/^Docker \d+\./);
    expect(r.json.checks.find((c: any) => c.name === 'compose').message).toMatch(/compose/i);
    const human = await w.cli(['doctor']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('No problems found.');
  });

  it('passes on an instance of it', async () => {
    const c = await w.cli(['create', 'doc', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const r = await w.cli(['doctor', '--json'], { cwd: c.json.instance.path });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.target).toMatchObject({ kind: 'instance', id: c.json.instance.id });
    const byId = await w.cli(['doctor', c.json.instance.id, '--json']);
    expect(byId.json.target.id).toBe(c.json.instance.id);
  });

  it('flags container_name, a fixed host port and a missing external network (exit 1)', async () => {
    expect(await networkExists(NET)).toBe(false);
    const r = await w.cli(['doctor', '--json'], { cwd: bad });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.json.passed).toBe(false);
    const errors = r.json.checks.filter((c: any) => c.level === 'error');
    const by = (name: string) => errors.filter((c: any) => c.name === name);
    expect(by('container-name')).toHaveLength(1);
    expect(by('container-name')[0].message).toContain('"design-agent"');
    expect(by('fixed-port')).toHaveLength(1);
    expect(by('fixed-port')[0].message).toContain('5010');
    expect(by('fixed-port')[0].message).toContain("slot 1's worker-1 port");
    expect(by('external-network')).toHaveLength(1);
    expect(by('external-network')[0].message).toContain(NET);
    expect(by('unset-variable')).toHaveLength(1);
    expect(by('unset-variable')[0].message).toContain(':/app/data');
    for (const c of errors) expect(c.fix).toBeTruthy();
    const warnings = r.json.checks.filter((c: any) => c.level === 'warning');
    expect(warnings.map((c: any) => c.name)).toEqual(['port-binding']); // "5010:5010" is on every interface
    expect(r.json.errors).toBe(errors.length);

    const human = await w.cli(['doctor'], { cwd: bad });
    expect(human.code).toBe(1);
    const out = human.stdout;
    const iErr = out.indexOf(`Errors (${errors.length}):`);
    const iWarn = out.indexOf('Warnings (1):');
    expect(iErr).toBeGreaterThan(0);
    expect(iWarn).toBeGreaterThan(iErr);
    expect(out.slice(iErr, iWarn)).toContain('container-name');
    expect(out.slice(iWarn)).toContain('port-binding');
    expect(out).toMatch(/\d+ errors, 1 warning/);
  });

  it('--fix creates the missing external network', async () => {
    const r = await w.cli(['doctor', '--fix', '--json'], { cwd: bad });
    expect(r.code).toBe(1); // container_name and the fixed port remain
    expect(r.json.checks.find((c: any) => c.name === 'external-network')).toMatchObject({ level: 'ok', fixed: true });
    expect(await networkExists(NET)).toBe(true);
    const again = await w.cli(['doctor', '--json'], { cwd: bad });
    expect(again.json.checks.find((c: any) => c.name === 'external-network')).toMatchObject({ level: 'ok' });
    expect(again.json.checks.find((c: any) => c.name === 'external-network').fixed).toBeUndefined();
  });
});
