// `env` output is safe to source in every format (issue 9, item 7): an instance whose values carry $(…),
// backticks, quotes, a newline and a trailing backslash (here through a hostile shared-data path) prints
// them so that sh, bash and dash — eval'd or `set -a; .`-sourced — read them back literally and run nothing;
// compose's own env-file parser expands nothing either. Before, `--format dotenv` used JSON quoting, and
// `set -a; . file` ran the $(…).
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type World } from './world';

let w: World;
let shared: string;
let marker: string;
let id: string;
let expected: Record<string, string>;
beforeAll(async () => {
  w = await makeWorld('safety5');
  marker = join(w.root, 'PWNED');
  shared = join(w.root, `sh $(touch ${marker}) \`touch ${marker}\` 'q' "d" $HOME\nnext\\`);
  await mkdir(shared, { recursive: true });
  w.env.KTRDR_SHARED_HOME = shared;
  const c = await w.cli(['create', 'envy', '--json']);
  expect(c.code, c.stderr).toBe(0);
  id = c.json.instance.id;
  const j = await w.cli(['env', '-i', id, '--format', 'json']);
  expect(j.code, j.stderr).toBe(0);
  expected = JSON.parse(j.stdout);
  expect(expected.KTRDR_SHARED_DIR).toBe(shared);
});
afterAll(async () => {
  await w?.cleanup();
});

const shells = ['sh', 'bash', 'dash'];

async function readBack(shell: string, load: string): Promise<Record<string, string>> {
  const names = Object.keys(expected).join(' ');
  const script = `${load}\nfor n in ${names}; do eval "v=\\$$n"; printf '%s\\0%s\\0' "$n" "$v"; done`;
  const r = await execa(shell, ['-c', script], { reject: false, env: { PATH: process.env.PATH! } });
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const parts = String(r.stdout).split('\0');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}

describe('env output through real shells', () => {
  for (const shell of shells) {
    it(`sh format: eval "$(ktrdr-sandbox env)" in ${shell}`, async () => {
      const out = await w.cli(['env', '-i', id]);
      expect(out.code).toBe(0);
      const file = join(w.root, `env-${shell}.sh`);
      await writeFile(file, out.stdout);
      expect(await readBack(shell, `eval "$(cat '${file}')"`)).toEqual(expected);
      expect(existsSync(marker)).toBe(false);
    });

    it(`dotenv format: set -a; . FILE in ${shell}`, async () => {
      const out = await w.cli(['env', '-i', id, '--format', 'dotenv']);
      expect(out.code).toBe(0);
      const file = join(w.root, `env-${shell}.env`);
      await writeFile(file, out.stdout);
      expect(await readBack(shell, `set -a; . '${file}'; set +a`)).toEqual(expected);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it('fish format: every value one single-quoted word per line', async () => {
    const out = await w.cli(['env', '-i', id, '--format', 'fish']);
    expect(out.code).toBe(0);
    for (const line of out.stdout
      .trim()
      .replace(/;$/, '')
      .split(/;\n(?=set -gx )/))
      expect(line).toMatch(/^set -gx [A-Z_0-9]+ '[\s\S]*'$/);
  });

  // without fish this shows as skipped outside CI (CI installs it: a missing fish fails there), never as passed
  it.skipIf(process.env.CI !== 'true' && spawnSync('sh', ['-c', 'command -v fish']).status !== 0)(
    'fish format, read back by fish',
    async () => {
      const out = await w.cli(['env', '-i', id, '--format', 'fish']);
      expect(out.code).toBe(0);
      const r = await execa('fish', ['-c', `${out.stdout}\nprintf '%s' "$KTRDR_SHARED_DIR"`], { reject: false });
      expect(String(r.stdout)).toBe(shared);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it("compose's env-file parser expands nothing in the dotenv output", async () => {
    const out = await w.cli(['env', '-i', id, '--format', 'dotenv']);
    const dir = join(w.root, 'compose-check');
    await mkdir(dir);
    await writeFile(join(dir, 'e.env'), out.stdout);
    await writeFile(
      join(dir, 'docker-compose.yml'),
      'services:\n  s:\n    image: debian:bookworm-slim\n    environment:\n      API: "${KTRDR_API_URL}"\n',
    );
    const compose =
      (await execa('docker', ['compose', 'version'], { reject: false })).exitCode === 0 ? ['docker', 'compose'] : ['docker-compose'];
    const r = await execa(compose[0]!, [...compose.slice(1), '--env-file', 'e.env', 'config'], { cwd: dir, reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain(expected.KTRDR_API_URL!);
    expect(existsSync(marker)).toBe(false);
  });

  it('.env.sandbox edited by hand: kept in .env.sandbox.bak, the changed lines named, before it is rewritten', async () => {
    const envFile = join(w.root, 'src', id, '.env.sandbox');
    const ours = await readFile(envFile, 'utf8');
    const edited = `${ours.replace(/^KTRDR_API_PORT=.*$/m, 'KTRDR_API_PORT=9999')}MY_TOKEN=keep-me\n`;
    await writeFile(envFile, edited);
    const slots = await w.cli(['slots', '--json']);
    const to = slots.json.slots.find((s: any) => s.state === 'free' && s.slot !== 0 && s.slot !== 1)?.slot;
    expect(to, JSON.stringify(slots.json)).toBeDefined();
    const r = await w.cli(['slot', 'move', String(to), '-i', id, '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const warning =
      String(r.stderr)
        .split('\n')
        .find((l) => l.includes('edited by hand')) ?? '';
    expect(warning, r.stderr).toContain('"state":"warning"');
    expect(warning).toContain('MY_TOKEN=keep-me (not from the registry)');
    expect(warning).toMatch(/KTRDR_API_PORT: 9999 → \d+/);
    expect(warning).toContain('.env.sandbox.bak');
    expect(await readFile(`${envFile}.bak`, 'utf8')).toBe(edited);
    const now = await readFile(envFile, 'utf8');
    expect(now).not.toContain('MY_TOKEN');
    expect(now).toContain(`SLOT_NUMBER=${to}`);
    // our own file, rewritten for the next move: no backup, no warning
    const back = await w.cli(['slot', 'move', '1', '-i', id, '--json']);
    if (back.code === 0) {
      expect(back.stderr).not.toContain('edited by hand');
      expect(await readFile(`${envFile}.bak`, 'utf8')).toBe(edited);
    }
  });
});
