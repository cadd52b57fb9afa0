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
  squatter = spawn(process.execPath, ['-e', "require('net').createServer().listen(3001, '127.0.0.1', () => console.log('ready'))"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

  it('slots lists holders and blacklist reasons; slot move rewrites registry and .env.sandbox', async () => {
    const s = await w.cli(['slots', '--json']);
    expect(s.code).toBe(0);
    const rows = s.json.slots;
    expect(rows).toHaveLength(11);
    expect(rows[1]).toMatchObject({ slot: 1, state: 'blacklisted' });
    expect(rows[1].reason).toContain('3001');
    expect(rows[2]).toMatchObject({ slot: 2, state: 'taken', holder: 'ktrdr--free' });
    const inst = (await w.cli(['list', '--json'])).json.instances.find((i: any) => i.id === 'ktrdr--free');
    const mv = await w.cli(['slot', 'move', '5', '--json'], { cwd: inst.path });
    expect(mv.code, mv.stdout + mv.stderr).toBe(0);
    expect(mv.json).toMatchObject({ id: 'ktrdr--free', from: 2, to: 5, restarted: null });
    expect(await readFile(`${inst.path}/.env.sandbox`, 'utf8')).toMatch(/^KTRDR_API_PORT=8005$/m);
    const taken = await w.cli(['slot', 'move', '1'], { cwd: inst.path });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('blacklisted');
  });

  it('slot unblock refuses while the port is still held, and clears the slot once it is free', async () => {
    const still = await w.cli(['slot', 'unblock', '1']);
    expect(still.code).toBe(3);
    expect(still.stderr).toContain(`process ${squatter.pid}`);
    squatter.kill();
    await new Promise((r) => setTimeout(r, 300));
    const ok = await w.cli(['slot', 'unblock', '1', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ slot: 1, cleared: true });
    const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
    expect(reg.blacklist['1']).toBeUndefined();
  });

  it('up refuses when its own slot is taken by a foreign process after creation (exit 3)', async () => {
    const r = await w.cli(['create', 'late', '--json']);
    expect(r.code).toBe(0);
    const slot = r.json.instance.slot as number;
    const port = 8000 + slot;
    const p = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('ready'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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
