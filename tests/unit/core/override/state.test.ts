import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { composeModelFromTexts } from '../../../../main/core/compose-model';
import { isolationFor, overridePath, removeOverrideState, writeOverride } from '../../../../main/core/override/state';
import { ktrdrPreset } from '../../../../main/core/preset';
import type { Manifest } from '../../../../main/core/manifest-schema';

const home = mkdtempSync(join(tmpdir(), 'kts-ovr-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const model = composeModelFromTexts(['/r/c.yml'], ['services:\n  a:\n    image: x\n    networks: [obs]\nnetworks:\n  obs:\n    external: true\n'], parse);
const off = { ...ktrdrPreset, isolation: 'off' } as Manifest;

describe('override state', () => {
  it('writes the override in the sandbox state, remembers up\'s isolation choice, the manifest\'s off wins', () => {
    expect(isolationFor(home, 'r--a', ktrdrPreset)).toBe(true);
    const w = writeOverride({ home, id: 'r--a', manifest: ktrdrPreset, model, isolate: false });
    expect(w.file).toBe(overridePath(home, 'r--a'));
    expect(w.file.startsWith(join(home, 'instances', 'r--a'))).toBe(true);
    expect(parse(readFileSync(w.file, 'utf8')).networks?.obs).toBeUndefined();
    // a later command without a choice (run, down) gets the same files
    expect(writeOverride({ home, id: 'r--a', manifest: ktrdrPreset, model }).isolate).toBe(false);
    // up again without --no-isolate: on again
    const on = writeOverride({ home, id: 'r--a', manifest: ktrdrPreset, model, isolate: true });
    expect(parse(readFileSync(on.file, 'utf8')).networks.obs.name).toBe('r--a_shared-obs');
    expect(isolationFor(home, 'r--a', off, true)).toBe(false);
    expect(writeOverride({ home, id: 'r--b', manifest: { ...ktrdrPreset, isolation: false } as Manifest, model }).isolate).toBe(false);
    removeOverrideState(home, 'r--a');
    expect(existsSync(join(home, 'instances', 'r--a'))).toBe(false);
  });
});
