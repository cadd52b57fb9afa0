// The shared-data overlay's share of the override (manifest shared.overlay): which binds become overlay volumes,
// the volume's driver options and labels, and the refusals (unknown folder, paths a mount option cannot carry).
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeModelFromTexts } from '../../../../main/core/compose-model-parse';
import { buildOverride } from '../../../../main/core/override';
import { overlayFolders, overlayMounts, overlayRoot } from '../../../../main/core/override/overlay';
import { ktrdrPreset } from '../../../../main/core/preset';
import type { Manifest } from '../../../../main/core/manifest-schema';
import { validateManifest } from '../../../../main/core/manifest-validate';
import { SandboxError } from '../../../../main/core/errors';

const model = (text: string) => composeModelFromTexts(['/r/compose.yml'], [text], parse);
const HOME = '/h/.ktrdr/sandbox';
const VARS = {
  KTRDR_DATA_DIR: '/h/.ktrdr/shared/data',
  KTRDR_MODELS_DIR: '/h/.ktrdr/shared/models',
  KTRDR_STRATEGIES_DIR: '/h/.ktrdr/shared/strategies',
  KTRDR_SHARED_DIR: '/h/.ktrdr/shared',
  HOME: '/h',
};
const withOverlay = (overlay: Manifest['shared']['overlay']): Manifest => ({ ...ktrdrPreset, shared: { ...ktrdrPreset.shared, overlay } });

const FILE = `
services:
  backend:
    image: x
    volumes:
      - \${KTRDR_DATA_DIR}:/app/data
      - \${KTRDR_MODELS_DIR}:/app/models:ro
      - ./src:/app/src
  worker:
    image: x
    volumes:
      - type: bind
        source: ~/.ktrdr/shared/data
        target: /data
  db:
    image: x
    volumes: [pg:/var/lib/pg]
volumes:
  pg: {}
`;

function override(manifest: Manifest, text = FILE) {
  const mounts = overlayMounts(HOME, 'r--a', manifest, VARS);
  return buildOverride({
    id: 'r--a',
    owner: 'owner-1',
    model: model(text),
    isolate: true,
    overlay: { mounts, vars: VARS, projectDir: '/r' },
  });
}

describe('shared overlay: the override', () => {
  it('no shared.overlay: no overlay mounts, the binds stay as they are', () => {
    expect(overlayMounts(HOME, 'r--a', ktrdrPreset, VARS)).toEqual([]);
    const doc = override(ktrdrPreset);
    expect(doc.volumes).not.toHaveProperty('ktrdr-overlay-data');
    expect(doc.services.backend).not.toHaveProperty('volumes');
  });

  it('shared.overlay: [data] re-declares every bind of the data folder (short and long syntax, ~ and ${VAR}) as the overlay volume', () => {
    const doc = override(withOverlay(['data']));
    expect(doc.services.backend!.volumes).toEqual(['ktrdr-overlay-data:/app/data:nocopy']);
    expect(doc.services.worker!.volumes).toEqual([
      { type: 'volume', source: 'ktrdr-overlay-data', target: '/data', volume: { nocopy: true } },
    ]);
    expect(doc.services.db).not.toHaveProperty('volumes');
    const root = overlayRoot(HOME, 'r--a');
    expect(doc.volumes['ktrdr-overlay-data']).toEqual({
      driver: 'local',
      driver_opts: {
        type: 'overlay',
        device: 'overlay',
        o: `lowerdir=/h/.ktrdr/shared/data,upperdir=${root}/data/upper,workdir=${root}/data/work`,
      },
      labels: { 'dev.ktrdr-sandbox.instance': 'r--a', 'dev.ktrdr-sandbox.owner': 'owner-1', 'dev.ktrdr-sandbox.role': 'shared-overlay' },
    });
    expect(doc.volumes).not.toHaveProperty('ktrdr-overlay-models'); // not asked for
    expect(doc.volumes.pg).toBeDefined(); // the user's own volume keeps its labels
  });

  it('shared.overlay: true overlays every mount a service uses; a read-only bind stays read-only; a folder no service mounts declares no volume', () => {
    const doc = override(withOverlay(true));
    expect(doc.services.backend!.volumes).toEqual(['ktrdr-overlay-data:/app/data:nocopy', 'ktrdr-overlay-models:/app/models:ro,nocopy']);
    expect(
      Object.keys(doc.volumes)
        .filter((k) => k.startsWith('ktrdr-overlay-'))
        .sort(),
    ).toEqual(['ktrdr-overlay-data', 'ktrdr-overlay-models']);
    expect(overlayFolders(withOverlay(true))).toEqual(['data', 'models', 'strategies']);
  });

  it("a bind whose source has a default, as KTRDR's file writes it (${KTRDR_DATA_DIR:-./data}), is overlaid too", () => {
    const doc = override(
      withOverlay(['data', 'models']),
      'services:\n  backend:\n    image: x\n    volumes: ["${KTRDR_DATA_DIR:-./data}:/app/data", "${KTRDR_MODELS_DIR:-./models}:/app/models:ro", "./src:/app/src"]\n',
    );
    expect(doc.services.backend!.volumes).toEqual(['ktrdr-overlay-data:/app/data:nocopy', 'ktrdr-overlay-models:/app/models:ro,nocopy']);
  });

  it('a bind of a sub-folder of a shared folder, or of the whole shared root, is not overlaid', () => {
    const doc = override(
      withOverlay(true),
      `services:\n  a:\n    image: x\n    volumes: ["\${KTRDR_DATA_DIR}/csv:/csv", "\${KTRDR_SHARED_DIR}:/shared"]\n`,
    );
    expect(doc.services.a).not.toHaveProperty('volumes');
  });

  it('a later file re-declaring the target as something else wins over the shared bind', () => {
    const m = composeModelFromTexts(
      ['/r/a.yml', '/r/b.yml'],
      ['services:\n  a:\n    image: x\n    volumes: ["${KTRDR_DATA_DIR}:/d"]\n', 'services:\n  a:\n    volumes: ["./local:/d"]\n'],
      parse,
    );
    const doc = buildOverride({
      id: 'r--a',
      owner: 'o',
      model: m,
      isolate: true,
      overlay: { mounts: overlayMounts(HOME, 'r--a', withOverlay(['data']), VARS), vars: VARS, projectDir: '/r' },
    });
    expect(doc.services.a).not.toHaveProperty('volumes');
    expect(doc.volumes).not.toHaveProperty('ktrdr-overlay-data');
  });
});

describe('shared overlay: refusals', () => {
  it('a folder that is not in shared.mounts is refused by the manifest validation', () => {
    const raw = { version: 1, ports: [], compose: { files: ['c.yml'] }, shared: { mounts: { data: 'D' }, overlay: ['data', 'nope'] } };
    expect(() => validateManifest(raw, 'm.yml')).toThrow(/shared.overlay names "nope", which is not a shared folder/);
    expect(validateManifest({ ...raw, shared: { mounts: { data: 'D' }, overlay: ['data'] } }, 'm.yml').shared.overlay).toEqual(['data']);
    expect(() => validateManifest({ ...raw, shared: { mounts: {}, overlay: 'yes' } }, 'm.yml')).toThrow(/shared.overlay/);
  });

  it('paths holding "," or ":" (the mount options separators) are refused with a one-line USAGE error', () => {
    let err: unknown;
    try {
      overlayMounts(HOME, 'r--a', withOverlay(['data']), { ...VARS, KTRDR_DATA_DIR: '/h/my,data' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('USAGE');
    expect((err as SandboxError).message).toMatch(/\/h\/my,data holds "," or ":"/);
    expect(() => overlayMounts('/h/a:b', 'r--a', withOverlay(['data']), VARS)).toThrow(/cannot take/);
  });
});
