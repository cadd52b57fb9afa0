import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENV_FILE,
  envFilePath,
  instanceVariables,
  parseEnvFile,
  renderEnvFile,
  SANDBOX_VERSION,
  sharedVariables,
} from '../../../main/core/envfile';
import { portVariables } from '../../../main/core/ports';
import { ktrdrPreset } from '../../../main/core/preset';
import { record } from './fakes';

describe('renderEnvFile / parseEnvFile', () => {
  it('round-trips awkward values', () => {
    const vars = {
      PLAIN: 'abc-1.2_3',
      URL: 'postgres://u:p@db:5432/x?sslmode=off',
      SPACES: 'hello big world',
      EQUALS: 'a=b=c',
      DOUBLE: 'say "hi"',
      SINGLE: "it's",
      DOLLAR: 'cost $5 and ${HOME} $HOME',
      BACKSLASH: 'C:\\path\\to',
      BACKTICK: 'run `id`',
      HASH: '#not-a-comment',
      PADDED: '  padded  ',
      EMPTY: '',
      PATH_WITH_SPACE: '/Users/Jane Doe/.ktrdr/shared',
      UNICODE: 'café ✓',
    };
    const text = renderEnvFile(vars);
    expect(parseEnvFile(text)).toEqual(vars);
  });

  it('quotes only what needs quoting and keeps insertion order', () => {
    const text = renderEnvFile({ B: '1', A: 'two words', C: 'a=b' });
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['B=1', 'A="two words"', 'C=a=b']);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')[0]).toMatch(/^# Written by ktrdr-sandbox/);
  });

  it('escapes $ and " inside quotes so compose does not interpolate them', () => {
    expect(renderEnvFile({ X: 'a $B "c"' })).toContain('X="a \\$B \\"c\\""');
  });

  it('parses comments, blank lines, export, single quotes, CRLF and whitespace', () => {
    const text = [
      '# comment',
      '',
      '   ',
      'export API=8001',
      '  SPACED = value with spaces  ',
      "SQ='lit $HOME \\n'",
      'DQ="a \\"b\\" \\$c"',
      'EQ=x=y',
      'NOEQ',
      '=novalue',
      '  # indented comment',
      'LAST=1\r',
    ].join('\r\n');
    expect(parseEnvFile(text)).toEqual({
      API: '8001',
      SPACED: 'value with spaces',
      SQ: 'lit $HOME \\n',
      DQ: 'a "b" $c',
      EQ: 'x=y',
      LAST: '1',
    });
  });

  it('a later assignment wins', () => {
    expect(parseEnvFile('A=1\nA=2\n')).toEqual({ A: '2' });
  });
});

describe('instanceVariables', () => {
  const shared = '/home/jane/.ktrdr/shared';
  const rec = record('ktrdr--feat-x', 3, { createdAt: '2025-02-03T04:05:06.000Z' });
  const vars = instanceVariables(rec, ktrdrPreset, shared);

  it('has the identity variables', () => {
    expect(vars.COMPOSE_PROJECT_NAME).toBe('ktrdr--feat-x');
    expect(vars.INSTANCE_ID).toBe('ktrdr--feat-x');
    expect(vars.SLOT_NUMBER).toBe('3');
    expect(vars.SANDBOX_VERSION).toBe(SANDBOX_VERSION);
    expect(vars.CREATED_AT).toBe('2025-02-03T04:05:06.000Z');
  });

  it('has every port variable of the slot', () => {
    const ports = portVariables(ktrdrPreset, 3);
    expect(Object.keys(ports)).toHaveLength(13);
    expect(vars).toMatchObject(ports);
    expect(vars.KTRDR_API_PORT).toBe('8003');
    expect(vars.KTRDR_JAEGER_OTLP_HTTP_PORT).toBe('4348');
  });

  it('has absolute shared directories under the shared home', () => {
    expect(vars.KTRDR_SHARED_DIR).toBe(shared);
    expect(vars.KTRDR_DATA_DIR).toBe(join(shared, 'data'));
    expect(vars.KTRDR_MODELS_DIR).toBe(join(shared, 'models'));
    expect(vars.KTRDR_STRATEGIES_DIR).toBe(join(shared, 'strategies'));
    for (const k of ['KTRDR_SHARED_DIR', 'KTRDR_DATA_DIR', 'KTRDR_MODELS_DIR', 'KTRDR_STRATEGIES_DIR']) {
      expect(isAbsolute(vars[k]!)).toBe(true);
      expect(vars[k]!.startsWith(shared)).toBe(true);
    }
  });

  it('starts with the identity variables, in a stable order', () => {
    expect(Object.keys(vars).slice(0, 5)).toEqual(['COMPOSE_PROJECT_NAME', 'INSTANCE_ID', 'SLOT_NUMBER', 'SANDBOX_VERSION', 'CREATED_AT']);
    expect(Object.keys(instanceVariables(rec, ktrdrPreset, shared))).toEqual(Object.keys(vars));
  });

  it('survives a render/parse round trip, also with a space in the home path', () => {
    expect(parseEnvFile(renderEnvFile(vars))).toEqual(vars);
    const spaced = instanceVariables(rec, ktrdrPreset, '/Users/Jane Doe/.ktrdr/shared');
    expect(parseEnvFile(renderEnvFile(spaced))).toEqual(spaced);
  });

  it('sharedVariables follows the manifest mounts', () => {
    const m = { ...ktrdrPreset, shared: { mounts: { cache: 'CACHE_DIR' } } };
    expect(sharedVariables(m, '/s')).toEqual({ KTRDR_SHARED_DIR: '/s', CACHE_DIR: '/s/cache' });
  });

  it('envFilePath is .env.sandbox in the instance dir', () => {
    expect(ENV_FILE).toBe('.env.sandbox');
    expect(envFilePath('/work/x')).toBe('/work/x/.env.sandbox');
  });
});
