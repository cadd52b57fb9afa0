// Pure parts of snapshots: names (no path traversal), compose hash, compatibility, volume planning, seed check.
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../../main/core/manifest-validate';
import { ktrdrPreset } from '../../../main/core/preset';
import { SEED_SKIPPED, seedCommand, shellQuote, withSeedCheck } from '../../../main/core/seed';
import {
  composeHash,
  composeProjectName,
  formatBytes,
  incompatibilities,
  ownVolumeKeys,
  planVolumes,
  validateSnapshotName,
} from '../../../main/core/snapshot-plan';
import type { SnapshotMeta } from '../../../main/shared/snapshot-types';

describe('snapshot names', () => {
  it('accepts plain names', () => {
    for (const n of ['seeded', 'v1.2', 'main_2026-12-06', 'A']) expect(validateSnapshotName(n)).toBe(n);
  });
  it('refuses anything that could leave the snapshots directory or hide in it', () => {
    for (const n of ['', '..', '../x', 'a/b', 'a\\b', '.hidden', '-x', 'a..b', 'x'.repeat(64), 'a b', 'é']) {
      expect(() => validateSnapshotName(n), n).toThrow(/Invalid snapshot name/);
    }
  });
});

describe('compose hash and compatibility', () => {
  const meta = (over: Partial<SnapshotMeta> = {}): SnapshotMeta => ({
    version: 1,
    name: 's',
    createdAt: '',
    repo: '/r',
    source: { instance: 'a', path: '/r--a', branch: 'a' },
    commit: null,
    migrationHead: '001',
    composeHash: composeHash([{ path: '/r--a/docker-compose.yml', text: 'services: {}\n' }]),
    composeFiles: ['docker-compose.yml'],
    method: 'stopped',
    image: 'sha256:x',
    volumes: [],
    secrets: [],
    elapsedMs: 0,
    ...over,
  });
  it('hashes content and base names, not the directory of the instance', () => {
    const h = composeHash([{ path: '/r--b/docker-compose.yml', text: 'services: {}\n' }]);
    expect(h).toBe(meta().composeHash);
    expect(composeHash([{ path: '/r--b/docker-compose.yml', text: 'services: {x: {}}\n' }])).not.toBe(h);
    expect(composeHash([{ path: '/r--b/other.yml', text: 'services: {}\n' }])).not.toBe(h);
  });
  it('names every mismatch; an unknown migration head on either side is not compared', () => {
    const m = meta();
    expect(incompatibilities(m, { composeHash: m.composeHash, migrationHead: '001' })).toEqual([]);
    expect(incompatibilities(m, { composeHash: m.composeHash, migrationHead: null })).toEqual([]);
    expect(incompatibilities(meta({ migrationHead: null }), { composeHash: m.composeHash, migrationHead: '002' })).toEqual([]);
    const r = incompatibilities(m, { composeHash: 'sha256:other', migrationHead: '002' });
    expect(r).toHaveLength(2);
    expect(r[0]).toMatch(/compose files differ/);
    expect(r[1]).toMatch(/migration head differs: snapshot "001", this instance's database "002"/);
  });
});

describe('planVolumes', () => {
  const doc = {
    services: {
      db: { image: 'postgres:16', volumes: ['postgres_data:/var/lib/postgresql/data', './init:/docker-entrypoint-initdb.d:ro'] },
      backup: { image: 'alpine', volumes: [{ type: 'volume', source: 'postgres_data', target: '/backup' }] },
      cache: { build: '.', volumes: ['cache:/cache'] },
      api: { image: 'api' },
    },
    volumes: { postgres_data: null, cache: { name: 'fixed-cache' }, shared: { external: true } },
  };
  it('maps keys to Docker volume names, the services using them and their image', () => {
    expect(planVolumes(doc, 'Repo--Feat.A', ['postgres_data', 'cache'])).toEqual([
      { key: 'postgres_data', name: 'repo--feata_postgres_data', services: ['db', 'backup'], image: 'postgres:16' },
      { key: 'cache', name: 'fixed-cache', services: ['cache'], image: null },
    ]);
  });
  it('refuses undeclared and external volumes with the declared ones in the hint', () => {
    expect(() => planVolumes(doc, 'p', ['nope'])).toThrow(/no named volume "nope"/);
    expect(() => planVolumes(doc, 'p', ['shared'])).toThrow(/external/);
  });
  it("lists the stack's own named volumes (what a manifest without snapshot.volumes captures)", () => {
    expect(ownVolumeKeys(doc)).toEqual(['postgres_data', 'cache']);
    expect(ownVolumeKeys({ services: {} })).toEqual([]);
  });
  it('normalises project names like compose v1', () => {
    expect(composeProjectName('ktrdr--feat-a')).toBe('ktrdr--feat-a');
    expect(composeProjectName('My.Proj')).toBe('myproj');
  });
  it('formats sizes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(48_377_344)).toBe('48.4 MB');
  });
});

describe('seed step', () => {
  const manifest = validateManifest(
    {
      ...ktrdrPreset,
      gate: {
        ...ktrdrPreset.gate,
        seed: { service: 'backend', command: ['python3', 'seed.py'], unless: ['python3', 'seed.py', '--check'] },
      },
    },
    'test',
  );
  it('is off without gate.seed (the preset runs migrations only)', () => {
    expect(withSeedCheck(ktrdrPreset)).toBe(ktrdrPreset);
  });
  it('becomes a run-once exec check after the migrations, skipped when `unless` succeeds', () => {
    const m = withSeedCheck(manifest);
    const seed = m.gate.checks.find((c) => c.name === 'seed')!;
    expect(seed).toMatchObject({ label: 'Seed data', retry: false, dependsOn: ['migrations'], timeout: 600 });
    expect('exec' in seed && seed.exec).toEqual({
      service: 'backend',
      command: ['sh', '-c', `if python3 seed.py --check >/dev/null 2>&1; then echo '${SEED_SKIPPED}'; else python3 seed.py; fi`],
    });
    expect(m.gate.checks.filter((c) => c.name === 'seed')).toHaveLength(1);
    expect(withSeedCheck(m)).toBe(m); // applied once
  });
  it('drops dependencies the gate does not have, and quotes arguments for sh', () => {
    const noMigrations = { ...manifest, gate: { ...manifest.gate, checks: manifest.gate.checks.filter((c) => c.name !== 'migrations') } };
    expect(withSeedCheck(noMigrations).gate.checks.find((c) => c.name === 'seed')!.dependsOn).toEqual([]);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(seedCommand({ command: ['a b'] })).toEqual(['a b']);
  });
});
