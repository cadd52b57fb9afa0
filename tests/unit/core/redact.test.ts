import { describe, expect, it } from 'vitest';
import { createRedactor, isSensitiveName, nameWords, REDACTED, redactAssignments, redactDeep } from '../../../main/core/redact';

const SECRET = 'Zq3-xY9_pLm2VvTt8rRsAa0b';

describe('isSensitiveName', () => {
  it.each([
    'KTRDR_DB_PASSWORD',
    'POSTGRES_PASSWORD',
    'password',
    'GITHUB_TOKEN',
    'apiKey',
    'API_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'SECRET_KEY_BASE',
    'client_secret',
    'db.password',
    'Authorization',
  ])('%s is sensitive', (n) => expect(isSensitiveName(n)).toBe(true));

  it.each([
    'KTRDR_API_PORT',
    'KEYBOARD_LAYOUT',
    'monkey',
    'KeyError',
    'PASSWORD_FILE',
    'TOKEN_URL',
    'INSTANCE_ID',
    'PWD',
    'keyring_backend_x',
  ])('%s is not sensitive', (n) => {
    // keyring_backend_x: "keyring" is not the word "key"
    expect(isSensitiveName(n)).toBe(false);
  });

  it('extra names count even when they do not look secret', () => {
    expect(isSensitiveName('DB_PASS', new Set(['DB_PASS']))).toBe(true);
    expect(isSensitiveName('DB_PASS')).toBe(false);
  });

  it('splits snake, kebab and camel case', () => {
    expect(nameWords('KTRDR_DB_PASSWORD')).toEqual(['ktrdr', 'db', 'password']);
    expect(nameWords('apiKey')).toEqual(['api', 'key']);
    expect(nameWords('x-auth-token')).toEqual(['x', 'auth', 'token']);
  });
});

describe('createRedactor: known values', () => {
  const r = createRedactor({ values: [SECRET], names: ['KTRDR_DB_PASSWORD'] });

  it('replaces the value wherever it occurs', () => {
    const text = `connecting with ${SECRET} and again:${SECRET}.`;
    expect(r(text)).toBe(`connecting with ${REDACTED} and again:${REDACTED}.`);
  });

  it('also catches its URL-encoded and JSON-escaped forms', () => {
    const s = 'p@ss/w"rd:long';
    const red = createRedactor({ values: [s] });
    expect(red(`postgres://u:${encodeURIComponent(s)}@db/x`)).not.toContain(encodeURIComponent(s));
    expect(red(JSON.stringify({ v: s }))).not.toContain(JSON.stringify(s).slice(1, -1));
  });

  it('replaces a longer secret whole even when it contains a shorter one', () => {
    const red = createRedactor({ values: ['abcd', 'abcdefgh'] });
    expect(red('x abcdefgh y abcd')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('leaves very short values alone outside assignments (but not in them)', () => {
    const red = createRedactor({ values: ['ab1'], names: ['PIN_CODE'] });
    expect(red('tab1e')).toBe('tab1e');
    expect(red('PIN_CODE=ab1')).toBe(`PIN_CODE=${REDACTED}`);
  });

  it('is a no-op on text without secrets', () => {
    const text = 'GET /api/v1/health 200\nKTRDR_API_PORT=8001\n';
    expect(r(text)).toBe(text);
  });
});

describe('redactAssignments: things that look like secrets', () => {
  it('env / dotenv / shell / docker Env entries', () => {
    expect(redactAssignments('POSTGRES_PASSWORD=hunter22')).toBe(`POSTGRES_PASSWORD=${REDACTED}`);
    expect(redactAssignments('export API_TOKEN="abc def"')).toBe(`export API_TOKEN="${REDACTED}"`);
    expect(redactAssignments(`["PATH=/usr/bin","MY_SECRET=s3cr3t","A=b"]`)).toBe(`["PATH=/usr/bin","MY_SECRET=${REDACTED}","A=b"]`);
    expect(redactAssignments('run --password=xyz123 --user=bob')).toBe(`run --password=${REDACTED} --user=bob`);
    expect(redactAssignments('https://x/cb?token=abc123&page=2')).toBe(`https://x/cb?token=${REDACTED}&page=2`);
  });

  it('YAML (resolved compose config) in mapping and list form', () => {
    const yaml = [
      'services:',
      '  db:',
      '    environment:',
      '      KTRDR_DB_PASSWORD: 7hGfR2kLp',
      '      KTRDR_DB_HOST: db',
      '      - API_KEY=k-123',
      "      secret_key: 'quoted value'",
    ].join('\n');
    const out = redactAssignments(yaml);
    expect(out).toContain(`KTRDR_DB_PASSWORD: ${REDACTED}`);
    expect(out).toContain('KTRDR_DB_HOST: db');
    expect(out).toContain(`- API_KEY=${REDACTED}`);
    expect(out).toContain(`secret_key: '${REDACTED}'`);
    expect(out).not.toMatch(/7hGfR2kLp|k-123|quoted value/);
  });

  it('JSON and Python-repr keys', () => {
    expect(redactAssignments('{"password": "pw-1", "user": "bob"}')).toBe(`{"password": "${REDACTED}", "user": "bob"}`);
    expect(redactAssignments("{'api_key': 'k1', 'n': 1}")).toBe(`{'api_key': '${REDACTED}', 'n': 1}`);
  });

  it('passwords in URLs', () => {
    expect(redactAssignments('DATABASE_URL is postgresql://ktrdr:pa55w0rd@db:5432/ktrdr')).toBe(
      `DATABASE_URL is postgresql://ktrdr:${REDACTED}@db:5432/ktrdr`,
    );
  });

  it('keeps variable references, empty values and structure keys', () => {
    const text = [
      'KTRDR_DB_PASSWORD: ${KTRDR_DB_PASSWORD:?must be set}',
      'API_TOKEN=',
      'secrets:',
      '  - db_password',
      'PASSWORD_FILE=/run/secrets/db',
      'KeyError: missing',
      'TOKEN_ENABLED=true',
    ].join('\n');
    expect(redactAssignments(text)).toBe(text);
  });
});

describe('redactDeep', () => {
  it('redacts strings everywhere and values under sensitive keys', () => {
    const red = createRedactor({ values: [SECRET] });
    const data = { env: { KTRDR_DB_PASSWORD: 'other-value', PORT: '8000' }, lines: [`using ${SECRET}`], n: 3, ok: true, none: null };
    expect(redactDeep(data, red)).toEqual({
      env: { KTRDR_DB_PASSWORD: REDACTED, PORT: '8000' },
      lines: [`using ${REDACTED}`],
      n: 3,
      ok: true,
      none: null,
    });
  });
});
