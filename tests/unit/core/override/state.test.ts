import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeModelFromTexts } from '../../../../main/core/compose-model-parse';
import { isolationFor, overridePath, removeOverrideState, writeOverride } from '../../../../main/core/override/state';
import { ktrdrPreset } from '../../../../main/core/preset';
import type { Manifest } from '../../../../main/core/manifest-schema';
import { MemoryFiles } from '../memory-files';

const home = '/home/u/.ktrdr/sandbox';
const files = new MemoryFiles();
const readFileSync = (file: string, _enc: 'utf8') => files.readText(file) ?? '';
const model = composeModelFromTexts(
  ['/r/c.yml'],
  ['services:\n  a:\n    image: x\n    networks: [obs]\nnetworks:\n  obs:\n    external: true\n'],
  parse,
);
const off = { ...ktrdrPreset, isolation: 'off' } as Manifest;

describe('override state', () => {
  it("writes the override in the sandbox state, remembers up's isolation choice, the manifest's off wins", async () => {
    expect(isolationFor(home, 'r--a', ktrdrPreset, undefined, files)).toBe(true);
    const w = writeOverride({ files, home, id: 'r--a', manifest: ktrdrPreset, model, isolate: false });
    expect(w.file).toBe(overridePath(home, 'r--a'));
    expect(w.file.startsWith(join(home, 'instances', 'r--a'))).toBe(true);
    expect(parse(readFileSync(w.file, 'utf8')).networks?.obs).toBeUndefined();
    // a later command without a choice (run, down) gets the same files
    expect(writeOverride({ files, home, id: 'r--a', manifest: ktrdrPreset, model }).isolate).toBe(false);
    // up again without --no-isolate: on again
    const on = writeOverride({ files, home, id: 'r--a', manifest: ktrdrPreset, model, isolate: true });
    expect(parse(readFileSync(on.file, 'utf8')).networks.obs.name).toBe('r--a_shared-obs');
    expect(isolationFor(home, 'r--a', off, true, files)).toBe(false);
    expect(writeOverride({ files, home, id: 'r--b', manifest: { ...ktrdrPreset, isolation: false } as Manifest, model }).isolate).toBe(
      false,
    );
    expect(files.tree(join(home, 'instances', 'r--a'))).toEqual(['compose.override.yml', 'override-options.json']);
    await removeOverrideState(files, home, 'r--a');
    expect(files.exists(join(home, 'instances', 'r--a'))).toBe(false);
    expect(files.exists(join(home, 'instances', 'r--b'))).toBe(true);
  });
});

describe('healthcheck start_interval in the override (engine API ≥ 1.44 with compose v2 ≥ 2.20.2)', () => {
  const slow = composeModelFromTexts(
    ['/r/c.yml'],
    ['services:\n  db:\n    image: x\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 10s\n  web:\n    image: x\n'],
    parse,
  );
  it('is added when up decided so, remembered for later commands, and absent otherwise', () => {
    const plain = writeOverride({ files, home, id: 'r--h', manifest: ktrdrPreset, model: slow });
    expect(parse(readFileSync(plain.file, 'utf8')).services.db.healthcheck).toBeUndefined();
    const fast = writeOverride({ files, home, id: 'r--h', manifest: ktrdrPreset, model: slow, startInterval: true });
    const doc = parse(readFileSync(fast.file, 'utf8'));
    expect(doc.services.db.healthcheck).toEqual({ start_interval: '1s', start_period: '60s' });
    expect(doc.services.web?.healthcheck).toBeUndefined(); // no healthcheck of its own: nothing to speed up
    // run/down/destroy write the override without deciding: the same file
    writeOverride({ files, home, id: 'r--h', manifest: ktrdrPreset, model: slow });
    expect(parse(readFileSync(fast.file, 'utf8')).services.db.healthcheck.start_interval).toBe('1s');
    writeOverride({ files, home, id: 'r--h', manifest: ktrdrPreset, model: slow, startInterval: false });
    expect(parse(readFileSync(fast.file, 'utf8')).services.db.healthcheck).toBeUndefined();
  });
  it('only compose v2 from 2.20.2 takes the key', async () => {
    const { composeTakesStartInterval } = await import('../../../../main/core/override/health');
    expect(composeTakesStartInterval('v1', '1.29.2')).toBe(false);
    expect(composeTakesStartInterval('v2', '2.20.1')).toBe(false);
    expect(composeTakesStartInterval('v2', 'v2.24.6-desktop.1')).toBe(true);
    expect(composeTakesStartInterval('v2', '2.20.2')).toBe(true);
  });
});
