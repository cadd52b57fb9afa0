// The manifest reconciled with the compose file: on both KTRDR shapes (the seed-era fixture with per-instance
// observability, and the current shape without grafana/jaeger/prometheus), profiles, dependencies, links, ports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { composeModelFromTexts } from '../../../main/core/compose-model-parse';
import { ktrdrPreset } from '../../../main/core/preset';
import { slotPorts } from '../../../main/core/ports';
import {
  activeProfiles,
  linkServices,
  markPortUsage,
  reconcileChecks,
  serviceAbsence,
  skippedResult,
  visibleLinks,
  withSkipped,
} from '../../../main/core/reconcile';
import type { CheckResult } from '../../../main/shared/types';
import { buildView, linksFor } from '../../../main/core/views';
import { record } from './fakes';

const FILE = '/repo/docker-compose.sandbox.yml';
const seedText = readFileSync(join(__dirname, '../../fixtures/stack/docker-compose.sandbox.yml'), 'utf8');
const seed = composeModelFromTexts([FILE], [seedText], parse);

/** KTRDR's current shape: the same file without the per-instance observability services. */
function currentText(): string {
  const doc = parse(seedText, { merge: true }) as { services: Record<string, unknown> };
  for (const s of ['grafana', 'jaeger', 'prometheus']) delete doc.services[s];
  return stringify(doc);
}
const current = composeModelFromTexts([FILE], [currentText()], parse);

describe('reconcileChecks', () => {
  it('runs every preset check on the seed-era file', () => {
    const r = reconcileChecks(ktrdrPreset.gate.checks, seed);
    expect(r.skipped).toEqual([]);
    expect(r.run.map((c) => c.name)).toEqual(ktrdrPreset.gate.checks.map((c) => c.name));
  });

  it('skips the observability checks of the current file, with the reason naming the file', () => {
    const r = reconcileChecks(ktrdrPreset.gate.checks, current);
    expect(r.run.map((c) => c.name)).toEqual(['database', 'migrations', 'backend', 'workers']);
    expect(r.skipped).toEqual([
      { name: 'grafana', label: 'Grafana ready', service: 'grafana', reason: 'service grafana is not in docker-compose.sandbox.yml' },
      { name: 'jaeger', label: 'Jaeger ready', service: 'jaeger', reason: 'service jaeger is not in docker-compose.sandbox.yml' },
      {
        name: 'prometheus',
        label: 'Prometheus ready',
        service: 'prometheus',
        reason: 'service prometheus is not in docker-compose.sandbox.yml',
      },
    ]);
  });

  it('a check on a service under an inactive profile is skipped with that reason; an active profile runs it', () => {
    const text = seedText.replace('  grafana:\n    <<: *fixture\n', '  grafana:\n    <<: *fixture\n    profiles: ["observability"]\n');
    const m = composeModelFromTexts([FILE], [text], parse);
    expect(m.services.grafana?.profiles).toEqual(['observability']);
    const off = reconcileChecks(ktrdrPreset.gate.checks, m);
    expect(off.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['grafana', 'service grafana is only started under profile "observability", which is not active'],
    ]);
    const on = reconcileChecks(ktrdrPreset.gate.checks, m, activeProfiles({ COMPOSE_PROFILES: 'e2e, observability' }));
    expect(on.skipped).toEqual([]);
  });

  it('a check depending on a skipped check is skipped too (transitively), naming why', () => {
    const doc = parse(seedText, { merge: true }) as { services: Record<string, unknown> };
    delete doc.services.db;
    const m = composeModelFromTexts(['/a/compose.yml', '/a/override.yml'], [stringify(doc), 'services: {}\n'], parse);
    const r = reconcileChecks(ktrdrPreset.gate.checks, m);
    expect(r.skipped.map((s) => s.name)).toEqual(['database', 'migrations']);
    expect(r.skipped[0]!.reason).toBe('service db is not in compose.yml + override.yml');
    expect(r.skipped[1]!.reason).toBe('depends on "database", which is skipped (service db is not in compose.yml + override.yml)');
  });

  it('keeps a check that names no service', () => {
    const checks = [{ name: 'ping', http: { url: 'http://127.0.0.1:1/', status: [200] }, dependsOn: [] }];
    expect(reconcileChecks(checks as never, current).run).toHaveLength(1);
  });
});

describe('skipped results', () => {
  it('are skipped with the reason, and sit at their manifest position', () => {
    const s = skippedResult({ name: 'grafana', label: 'Grafana ready', service: 'grafana', reason: 'service grafana is not in x.yml' });
    expect(s).toMatchObject({ state: 'skipped', message: 'skipped: service grafana is not in x.yml', attempts: 0 });
    const ran = (name: string) => ({ ...s, name, state: 'passed' }) as CheckResult;
    const merged = withSkipped([ran('backend'), ran('containers'), ran('database')], [s], ['database', 'backend', 'grafana']);
    expect(merged.map((c) => c.name)).toEqual(['database', 'backend', 'grafana', 'containers']);
  });
});

describe('links', () => {
  it('a link is about the services of the ports its URL uses', () => {
    expect(linkServices(ktrdrPreset, 'http://localhost:${KTRDR_GRAFANA_PORT}')).toEqual(['grafana']);
    expect(linkServices(ktrdrPreset, 'http://example.invalid/')).toEqual([]);
  });

  it('links of absent services are hidden (current shape), all shown on the seed-era file', () => {
    expect(visibleLinks(ktrdrPreset, seed).map((l) => l.name)).toEqual(['api', 'grafana', 'jaeger', 'prometheus']);
    expect(visibleLinks(ktrdrPreset, current).map((l) => l.name)).toEqual(['api']);
    expect(linksFor(ktrdrPreset, { KTRDR_API_PORT: '8001' }, current)).toEqual([
      { name: 'api', label: 'API docs', url: 'http://localhost:8001/api/v1/docs' },
    ]);
    expect(linksFor(ktrdrPreset, {}, undefined)).toHaveLength(4); // no model: unchanged
  });

  it('the instance view (dashboard, tray, list) hides them and marks unread port variables', () => {
    const v = buildView({
      rec: record('ktrdr--a', 1),
      manifest: ktrdrPreset,
      vars: { KTRDR_API_PORT: '8001' },
      containers: [],
      expectedServices: 7,
      dirExists: true,
      lastGate: null,
      model: current,
    });
    expect(v.links.map((l) => l.name)).toEqual(['api']);
    expect(v.ports).toHaveLength(ktrdrPreset.ports.length);
    expect(v.ports.filter((p) => p.used === false).map((p) => p.name)).toEqual(
      expect.arrayContaining(['grafana', 'jaeger', 'prometheus', 'otlp-grpc', 'otlp-http', 'design-agent', 'assessment-agent']),
    );
  });
});

describe('markPortUsage', () => {
  it('keeps every port (stable bookmarks), marking those no compose file reads', () => {
    const seedPorts = markPortUsage(slotPorts(ktrdrPreset, 3), seed);
    expect(seedPorts.map((p) => p.port)).toEqual(slotPorts(ktrdrPreset, 3).map((p) => p.port));
    expect(seedPorts.filter((p) => !p.used).map((p) => p.env)).toEqual(['KTRDR_DESIGN_AGENT_PORT', 'KTRDR_ASSESSMENT_AGENT_PORT']);
    const cur = markPortUsage(slotPorts(ktrdrPreset, 3), current);
    expect(cur.filter((p) => !p.used).map((p) => p.name)).toEqual([
      'grafana',
      'jaeger',
      'prometheus',
      'otlp-grpc',
      'otlp-http',
      'design-agent',
      'assessment-agent',
    ]);
    expect(cur.find((p) => p.name === 'api')).toMatchObject({ port: 8003, used: true });
  });
});

describe('serviceAbsence', () => {
  it('null for a default service', () => {
    expect(serviceAbsence(seed, 'backend')).toBeNull();
    expect(serviceAbsence(seed, 'e2e-tests')).toMatch(/profile "e2e"/);
  });
});
