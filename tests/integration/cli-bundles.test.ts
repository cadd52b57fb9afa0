// The built CLI: every vendored library loads from dist/vendor, and each command reaches the bundle meant
// for it (light: env, exec, url, open, list, status; full: everything else) with the same help.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from './world';

const require = createRequire(import.meta.url);
const run = (...args: string[]) => execFileSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('CLI bundles', () => {
  it('every vendored library loads (lazy members included)', () => {
    const dir = join(ROOT, 'dist', 'vendor');
    const files = readdirSync(dir).filter((f) => f.endsWith('.cjs'));
    expect(files.sort()).toEqual(['cli-table3.cjs', 'dockerode.cjs', 'execa.cjs', 'tar.cjs', 'write-file-atomic.cjs', 'yaml.cjs']);
    for (const f of files) expect(require(join(dir, f)), f).toBeTruthy();
    expect(typeof require(join(dir, 'tar.cjs')).c).toBe('function');
    expect(typeof require(join(dir, 'yaml.cjs')).parse).toBe('function');
    expect(typeof require(join(dir, 'execa.cjs')).execa).toBe('function');
    expect(typeof require(join(dir, 'dockerode.cjs'))).toBe('function');
  });

  it('light and full bundles answer with the same help for a light command', () => {
    const light = run('env', '--help');
    expect(light).toMatch(/Usage: ktrdr-sandbox env/);
    // `help env` is not a light command: the full bundle renders the same help text.
    expect(run('help', 'env')).toBe(light);
    expect(run('ls', '--help')).toMatch(/Usage: ktrdr-sandbox list\|ls/);
  });

  it('the full bundle lists every command', () => {
    const help = run('--help');
    for (const c of ['create', 'up', 'down', 'destroy', 'list', 'status', 'env', 'exec', 'evidence', 'doctor', 'dashboard']) expect(help).toContain(`  ${c}`);
  });
});
