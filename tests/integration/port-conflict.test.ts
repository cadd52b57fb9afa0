// Port conflicts with ownership: a foreign process on a slot's port is named (pid + command), the slot is
// blacklisted and create skips it; another sandbox is named by instance; our own containers are fine.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from './world';

let w: World;
let squatter: ChildProcess;

beforeAll(async () => {
  w = await makeWorld();
  // A foreign process holding slot 1's Grafana port (3001).
  squatter = spawn(process.execPath, ['-e', "require('net').createServer().listen(3001, '127.0.0.1', () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => squatter.stdout!.once('data', () => resolve()));
});
afterAll(async () => {
  squatter?.kill();
  await w?.cleanup();
});

describe('port conflicts', () => {
  it('names the foreign process and blacklists the slot (exit 3)', async () => {
    const r = await w.cli(['create', 'held', '--slot', '1', '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('PORT_CONFLICT');
    expect(r.json.error.message).toContain('3001');
    expect(r.json.error.message).toContain(`process ${squatter.pid}`);
    expect(r.json.error.hint).toMatch(/--slot/);
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(reg.blacklist['1'].port).toBe(3001);
    expect(reg.instances).toEqual({});
    const human = await w.cli(['create', 'held', '--slot', '1']);
    expect(human.stderr).toMatch(/blacklisted|3001/);
  });

  it('create without --slot skips the blacklisted slot', async () => {
    const r = await w.cli(['create', 'free', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.instance.slot).toBe(2);
  });

  it('up refuses when its own slot is taken by a foreign process after creation (exit 3)', async () => {
    const r = await w.cli(['create', 'late', '--json']);
    expect(r.code).toBe(0);
    const slot = r.json.instance.slot as number;
    const port = 8000 + slot;
    const p = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => p.stdout!.once('data', () => resolve()));
    try {
      const up = await w.cli(['up'], { cwd: r.json.instance.path });
      expect(up.code).toBe(3);
      expect(up.stderr).toContain(`${port} (KTRDR_API_PORT): process ${p.pid}`);
    } finally {
      p.kill();
    }
  });
});
