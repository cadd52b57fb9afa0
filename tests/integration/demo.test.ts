// `ktrdr-sandbox demo` end to end, as a newcomer runs it (the README's first command, default example webapp): a throw-away repository of an example under the
// cache directory (never the cwd), two instances up with their gates passed, the dashboard serving them;
// then `demo --clean` leaves no container, volume, network or directory behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, httpGet, makeWorld, projectResources, type World } from './world';

let w: World;
let demoDir: string;
const ids = ['sandbox-demo-webapp--a', 'sandbox-demo-webapp--b'];

beforeAll(async () => {
  w = await makeWorld('zcdemo');
  demoDir = join(w.home, '.cache', 'ktrdr-sandbox', 'demo');
});
afterAll(async () => {
  await w.cli(['demo', '--clean', '--json']).catch(() => undefined);
  await w.cleanup();
});

describe('demo', () => {
  it('makes two instances of an example in the cache directory, brings them up and serves the dashboard', async () => {
    const cwdBefore = (await readdir(w.repo)).sort();
    const proc = execa(CLI, ['demo', '--no-open', '--json'], { cwd: w.repo, env: w.env, reject: false, stdin: 'ignore', timeout: 240_000 });
    let stdout = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const t0 = Date.now();
    while (!stdout.includes('"url"') && Date.now() - t0 < 230_000 && proc.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    let doc: any;
    try {
      doc = JSON.parse(stdout);
    } catch {
      proc.kill('SIGTERM');
      const r = await proc;
      throw new Error(`demo printed no JSON document (exit ${r.exitCode}):\n${stdout}\n${String(r.stderr).slice(-3000)}`);
    }
    try {
      expect(doc.schema).toBe('ktrdr-sandbox/demo@1');
      expect(doc.passed).toBe(true);
      expect(doc.repo).toBe(join(demoDir, 'sandbox-demo-webapp'));
      expect(doc.instances.map((i: any) => i.id)).toEqual(ids);
      expect(doc.gates.every((g: any) => g.passed)).toBe(true);
      for (const i of doc.instances) {
        expect(i.path.startsWith(`${demoDir}/`)).toBe(true);
        expect((await httpGet(i.links[0].url.replace('//localhost:', '//127.0.0.1:'))).status).toBe(200);
      }
      // the dashboard shows them (its API, as the page reads it)
      const url = new URL(doc.url);
      const token = url.searchParams.get('token')!;
      const res = await fetch(`${url.origin}/api/invoke/snapshot`, {
        method: 'POST',
        headers: { 'x-ktrdr-token': token, 'content-type': 'application/json' },
        body: '[]',
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      const snap = (await res.json()) as any;
      expect(snap.ok).toBe(true);
      expect(JSON.stringify(snap.value)).toContain(ids[0]);
      // the user's directory is untouched
      expect((await readdir(w.repo)).sort()).toEqual(cwdBefore);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
    // a second `demo` reuses what is there (idempotent), here without the dashboard
    const again = await w.cli(['demo', '--no-dashboard', '--json']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.json.instances.map((i: any) => i.id)).toEqual(ids);
  });

  it('demo --clean removes every container, volume, network and the directory', async () => {
    // the webapp's database lives in a named volume: it must go too
    expect((await projectResources(ids[0]!)).volumes.length).toBeGreaterThan(0);
    const r = await w.cli(['demo', '--clean', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.destroyed.sort()).toEqual(ids);
    expect(r.json.removedDir).toBe(true);
    for (const id of ids) expect(await projectResources(id)).toEqual({ containers: [], volumes: [], networks: [] });
    // nothing else whose compose working directory is under the demo directory
    const ps = await execa('docker', ['ps', '-aq', '--filter', 'label=com.docker.compose.project'], { reject: false });
    for (const id of String(ps.stdout).split('\n').filter(Boolean)) {
      const wd = String(
        (
          await execa('docker', ['inspect', '-f', '{{index .Config.Labels "com.docker.compose.project.working_dir"}}', id], {
            reject: false,
          })
        ).stdout,
      );
      expect(wd.startsWith(demoDir)).toBe(false);
    }
    expect(existsSync(demoDir)).toBe(false);
    const list = await w.cli(['list', '--json']);
    expect(list.json.instances).toEqual([]);
    // a second clean has nothing to do
    const again = await w.cli(['demo', '--clean', '--json']);
    expect(again.json).toMatchObject({ destroyed: [], removedDir: false });
  });
});
