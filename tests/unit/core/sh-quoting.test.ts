// Shell quoting of `env --format sh`: run through a real /bin/sh, every value comes back byte for byte.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatEnv, shellQuote } from '../../../main/core/use-cases/instance-env';

const nasty = ["it's", 'a b', '$HOME', '`id`', '$(id)', '*', 'x\ny', '', '\\', '"q"', 'ünï'];

describe('sh quoting', () => {
  it('shellQuote and `env --format sh` round-trip through sh', () => {
    for (const v of nasty) expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(v)}`], { encoding: 'utf8' })).toBe(v);
    const env = formatEnv({ A: nasty.join('|') }, 'sh');
    expect(execFileSync('/bin/sh', ['-c', `${env}; printf %s "$A"`], { encoding: 'utf8' })).toBe(nasty.join('|'));
  });
});
