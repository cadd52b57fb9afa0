import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeModelFromTexts } from '../../../../main/core/compose-model-parse';
import { apiAtLeast, healthStartIntervalOverride } from '../../../../main/core/override/health';

const model = composeModelFromTexts(
  ['c.yml'],
  [
    `
services:
  db: { healthcheck: { test: ["CMD", "pg_isready"], interval: 10s, start_period: 20s } }
  backend: { healthcheck: { test: "curl -f x", interval: 30s } }
  fast: { healthcheck: { test: "true", interval: 1s } }
  plain: {}
  off: { healthcheck: { disable: true } }
  e2e: { profiles: [e2e], healthcheck: { test: "true", interval: 30s } }
`,
  ],
  parse,
);
const all = ['db', 'backend', 'fast', 'plain', 'off'];

describe('healthStartIntervalOverride (API ≥ 1.44)', () => {
  it('adds start_interval to slow healthchecks, keeps a start_period the file has and sets one where it has none', () => {
    expect(healthStartIntervalOverride(model, all, '1.44')).toEqual({
      services: {
        db: { healthcheck: { start_interval: '1s' } },
        backend: { healthcheck: { start_interval: '1s', start_period: '60s' } },
      },
    });
    expect(healthStartIntervalOverride(model, ['backend'], '1.45', { startIntervalMs: 500, startPeriodMs: 90_000 })).toEqual({
      services: { backend: { healthcheck: { start_interval: '500ms', start_period: '90s' } } },
    });
  });
  it('gives nothing below API 1.44 (Docker 20.10 is 1.41) or when no service needs it', () => {
    expect(healthStartIntervalOverride(model, all, '1.41')).toBeNull();
    expect(healthStartIntervalOverride(model, ['fast', 'plain', 'off'], '1.44')).toBeNull();
  });
  it('compares API versions per number', () => {
    expect(apiAtLeast('1.44', '1.44')).toBe(true);
    expect(apiAtLeast('1.5', '1.44')).toBe(false);
    expect(apiAtLeast('1.100', '1.44')).toBe(true);
    expect(apiAtLeast('2.0', '1.44')).toBe(true);
    expect(apiAtLeast('garbage', '1.44')).toBe(false);
  });
});
