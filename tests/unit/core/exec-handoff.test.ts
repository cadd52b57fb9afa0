// The script `exec` hands the command launcher: run through a real /bin/sh, it must export every value
// byte for byte, run the command with its arguments verbatim, and exit 127 for a missing command.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { execHandoffScript, formatEnv, shellQuote } from '../../../main/core/use-cases/instance-env';
import { SandboxError } from '../../../main/core/errors';

const nasty = ["it's", 'a b', '$HOME', '`id`', '$(id)', '*', 'x\ny', '', '\\', '"q"', 'ünï'];

describe('exec hand-off script', () => {
  it('exports every value exactly and runs the command with its arguments verbatim', () => {
    const vars = Object.fromEntries(nasty.map((v, i) => [`V${i}`, v]));
    const script = execHandoffScript(vars, ['node', '-e', 'process.stdout.write(JSON.stringify({argv: process.argv.slice(1), env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^V\\d+$/.test(k)))}))', ...nasty]);
    const out = JSON.parse(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }));
    expect(out.argv).toEqual(nasty);
    expect(out.env).toEqual(vars);
  });

  it('a missing command: one line on stderr, exit 127, nothing else runs', () => {
    const r = spawnSync('/bin/sh', ['-c', `${execHandoffScript({}, ['no-such-cmd-kts', 'x'])}echo AFTER`], { encoding: 'utf8' });
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('ktrdr-sandbox exec: command not found: no-such-cmd-kts\n');
    expect(r.stdout).toBe('');
  });

  it('refuses variable names a shell cannot export, and an empty command', () => {
    expect(() => execHandoffScript({ 'BAD-NAME': 'x' }, ['true'])).toThrow(SandboxError);
    expect(() => execHandoffScript({}, [])).toThrow(/needs a command/);
  });

  it('shellQuote and `env --format sh` round-trip through sh', () => {
    for (const v of nasty) expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(v)}`], { encoding: 'utf8' })).toBe(v);
    const env = formatEnv({ A: nasty.join('|') }, 'sh');
    expect(execFileSync('/bin/sh', ['-c', `${env}; printf %s "$A"`], { encoding: 'utf8' })).toBe(nasty.join('|'));
  });
});
