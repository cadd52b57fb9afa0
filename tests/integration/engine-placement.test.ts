// Registry v2 with real files and the real CLI: a version 1 registry keeps every instance (and is kept as
// instances.v1.json), `create --engine` and `move --engine` record the engine after checking it exists and
// answers — against the local engine and a real "remote host" engine over ssh.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRemoteHostImage, startRemoteHost, type RemoteHost } from './remote-host';
import { git, makeWorld, type World } from './world';

let world: World;
let remote: RemoteHost;
const cli = (args: string[], timeoutMs = 60_000) => world.cli(args, { env: remote.env, timeoutMs });
const registry = async () => JSON.parse(await readFile(world.registryFile, 'utf8'));

beforeAll(async () => {
  world = await makeWorld('engplace');
  await buildRemoteHostImage();
  remote = await startRemoteHost({ root: world.root, home: world.home, name: 'engplace' });
}, 180_000);

afterAll(async () => {
  await execa('docker', ['rm', '-f', 'kts-eng-placement-busy'], { reject: false });
  await remote?.cleanup();
  await world?.cleanup();
});

describe('registry migration (v1 → v2)', () => {
  it('a version 1 registry keeps every instance: read as is, kept as instances.v1.json at the first write', async () => {
    const init = await cli(['init', '--json']);
    expect(init.code, init.stderr).toBe(0);
    const other = join(world.root, 'src', 'engplace-other');
    await git(world.repo, 'worktree', 'add', '-q', '-b', 'other', other);
    // the file an older ktrdr-sandbox wrote: version 1, no engine, a key of its own
    const cur = await registry();
    const mine = cur.instances[init.json.instance.id];
    delete mine.engine;
    const v1 = {
      version: 1,
      instances: {
        [mine.id]: mine,
        'engplace-other': {
          id: 'engplace-other',
          path: other,
          slot: 7,
          kind: 'worktree',
          repo: world.repo,
          branch: 'other',
          createdAt: '2026-01-01T00:00:00.000Z',
          origin: 'init',
          note: 'kept',
        },
      },
      blacklist: { '9': { reason: 'port 8009 held by a host process', at: '2026-01-01T00:00:00.000Z' } },
      owner: 'older-tool',
    };
    const text = `${JSON.stringify(v1, null, 2)}\n`;
    await writeFile(world.registryFile, text);
    const list = await cli(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json.instances.map((i: { id: string }) => i.id).sort()).toEqual([mine.id, 'engplace-other'].sort());
    expect(await readFile(world.registryFile, 'utf8')).toBe(text); // a read writes nothing
    // the first write (a create) migrates: every instance kept, the old text beside it
    const created = await cli(['create', 'engone', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(await readFile(join(world.home, '.ktrdr', 'sandbox', 'instances.v1.json'), 'utf8')).toBe(text);
    const after = await registry();
    expect(after.version).toBe(2);
    expect(Object.keys(after.instances).sort()).toEqual([mine.id, 'engplace-other', created.json.instance.id].sort());
    expect(after.instances['engplace-other']).toEqual({ ...v1.instances['engplace-other'], engine: { context: null } });
    expect(after.instances[mine.id]).toEqual({ ...mine, engine: { context: null } });
    expect(after.instances[created.json.instance.id].engine).toEqual({ context: null });
    expect(after.blacklist).toEqual(v1.blacklist);
    expect(after.owner).toBe('older-tool');
  });
});

describe('create --engine / move --engine', () => {
  it('an unknown context is refused in one line, before anything is made', async () => {
    const r = await cli(['create', 'engnone', '--engine', 'kts-eng-nosuch', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('USAGE');
    expect(r.json.error.message).toBe(`No docker context "kts-eng-nosuch" (known: default, ${remote.context})`);
    expect(existsSync(join(world.root, 'src', 'engplace--engnone'))).toBe(false);
    const human = await cli(['create', 'engnone', '--engine', 'kts-eng-nosuch']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/No docker context "kts-eng-nosuch"/);
  });

  it('create --engine CONTEXT records the context and its endpoint', async () => {
    const r = await cli(['create', 'engremote', '--engine', remote.context, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rec = (await registry()).instances[r.json.instance.id];
    expect(rec.engine).toEqual({ context: remote.context, endpoint: `ssh://root@127.0.0.1:${remote.port}` });
  });

  it('move --engine: refused while it runs on the engine it is on; recorded once stopped; back and forth', async () => {
    const id = 'engplace--engone';
    expect((await registry()).instances[id]).toBeDefined();
    // a running container of its compose project on the local engine: what `up` leaves
    const busy = await execa(
      'docker',
      [
        'run',
        '-d',
        '--name',
        'kts-eng-placement-busy',
        '--label',
        `com.docker.compose.project=${id}`,
        'debian:bookworm-slim',
        'sleep',
        '300',
      ],
      { reject: false },
    );
    expect(busy.exitCode, busy.stderr).toBe(0);
    const refused = await cli(['move', id, '--engine', remote.context, '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.message).toBe(`"${id}" is running on engine "default": stop it first (\`ktrdr-sandbox down ${id}\`)`);
    expect((await registry()).instances[id].engine).toEqual({ context: null });
    await execa('docker', ['rm', '-f', 'kts-eng-placement-busy']);
    const moved = await cli(['move', id, '--engine', remote.context, '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.json).toMatchObject({ id, from: 'default', to: remote.context });
    expect((await registry()).instances[id].engine).toEqual({ context: remote.context, endpoint: `ssh://root@127.0.0.1:${remote.port}` });
    const back = await cli(['move', id, '--engine', 'default']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`Moved ${id}: engine ${remote.context} → default`));
    expect((await registry()).instances[id].engine.context).toBe('default');
  });

  it('an engine that does not answer is refused with exit 4 within the 2 s probe budget; nothing recorded', async () => {
    await remote.stop();
    try {
      const r = await cli(['create', 'engdown', '--engine', remote.context, '--json']);
      expect(r.code).toBe(4);
      expect(r.json.error.message).toMatch(
        new RegExp(`^Engine "${remote.context}" \\(ssh://root@127\\.0\\.0\\.1:${remote.port}\\) is not reachable: `),
      );
      expect(r.ms).toBeLessThan(5000);
      expect(existsSync(join(world.root, 'src', 'engplace--engdown'))).toBe(false);
      const m = await cli(['move', 'engplace--engone', '--engine', remote.context, '--json']);
      expect(m.code).toBe(4);
      expect((await registry()).instances['engplace--engone'].engine.context).toBe('default');
    } finally {
      await remote.start();
    }
  });
});
