// The lint `up` runs on its instance context (pure): compose findings read with the files' texts, then the
// isolation checks for its shared networks, following the decision it is given.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import { lintInstanceCompose } from '../../../main/core/instance-lint';
import { makeManifest, record } from './fakes';

const TEXT = `services:
  web:
    image: x
    ports: ["127.0.0.1:\${API_PORT}:80"]
    environment:
      GREETING: \${GREETING:-hello}
      TOKEN: \${TOKEN}
    networks: [default, obs]
networks:
  obs:
    external: true
    name: shared-observability
`;
const model = composeModelFromTexts(['/repo/docker-compose.yml'], [TEXT], parse);
const ctx = { rec: record('app--a', 1), manifest: makeManifest(), vars: { API_PORT: '8001' } };

describe('lintInstanceCompose', () => {
  it('reads defaults from the texts: only the variable without one is unset, and the line is quoted', () => {
    const findings = lintInstanceCompose(ctx, { model, texts: [TEXT], env: {}, isolation: true });
    const unset = findings.filter((f) => f.name === 'unset-variable');
    expect(unset).toHaveLength(1);
    expect(unset[0]!.message).toContain('${TOKEN}');
    expect(unset[0]!.message).toContain('"TOKEN: ${TOKEN}"');
  });

  it('isolation on: the shared network is an ok entry (up reports none); off: a warning naming it', () => {
    const on = lintInstanceCompose(ctx, { model, texts: [TEXT], env: { TOKEN: 't' }, isolation: true });
    expect(on.map((f) => [f.name, f.level])).toEqual([['isolation-obs', 'ok']]);
    expect(on[0]!.message).toContain('app--a_shared-shared-observability');
    const off = lintInstanceCompose(ctx, { model, texts: [TEXT], env: { TOKEN: 't' }, isolation: false });
    expect(off.map((f) => [f.name, f.level])).toEqual([['isolation-obs', 'warning']]);
    expect(off[0]!.message).toContain('Isolation is OFF');
  });
});
