// The layer boundaries of eslint.config.js catch a violation: each snippet is linted as if it lived at the given
// path, through ESLint's own API and the project's real config. Type information is switched off here (the
// boundary rules do not need it, and the snippets' paths are in no tsconfig); `npm run lint` runs with it.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: [
      { files: ['**/*.{ts,tsx}'], ...tseslint.configs.disableTypeChecked, languageOptions: { parserOptions: { project: false } } },
    ],
  });
  await eslint.lintText('', { filePath: 'main/core/x.ts' }); // loads the config and its plugins (seconds on a busy machine)
}, 60_000);

/** The boundary errors (no-restricted-imports / no-restricted-syntax) of `code` placed at `filePath`, as "line: message". */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax' || m.fatal)
    .map((m) => `${m.line}: ${m.message}`);
}

describe('layer boundaries', () => {
  it('core imports no adapter: static, type-only and dynamic imports are all refused', async () => {
    const errors = await boundaryErrors(
      'main/core/x.ts',
      [
        "import { createEngine } from '../adapters/engine';",
        "import type { Handlers } from '../../main/ui-backend/types';",
        "export const later = () => import('../adapters/compose');",
        'export { createEngine };',
        'export type { Handlers };',
      ].join('\n'),
    );
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^1: .*main\/core imports no adapter or surface/);
    expect(errors[1]).toMatch(/^2: .*main\/core imports no adapter or surface/);
    expect(errors[2]).toMatch(/^3: main\/core imports no adapter or surface/);
  });

  it('core imports no surface, Electron or terminal rendering, but may import core and shared', async () => {
    const errors = await boundaryErrors(
      'main/core/use-cases/x.ts',
      [
        "import '../../cli/render';",
        "import '../../server/routes';",
        "import '../../app/tray';",
        "import 'electron';",
        "import 'picocolors';",
        "import 'cli-table3';",
        "import 'string-width';",
        "import '../deps';",
        "import '../../shared/contract';",
        "import 'yaml';",
      ].join('\n'),
    );
    expect(errors.map((e) => e.split(':')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('adapters import no surface', async () => {
    const errors = await boundaryErrors(
      'main/adapters/x.ts',
      "import { packageRoot } from '../server/static-site';\nimport '../core/deps';\nexport { packageRoot };",
    );
    expect(errors).toEqual([expect.stringMatching(/^1: .*main\/adapters imports no surface/)]);
  });

  it('the renderer imports only renderer/** and main/shared: no core, no server, no Node', async () => {
    const errors = await boundaryErrors(
      'renderer/src/components/X.tsx',
      [
        "import type { InstanceView } from '../../../main/core/views';",
        "import { INITIAL_DATA_ELEMENT_ID } from '../../../main/server/static-site';",
        "import { readFileSync } from 'node:fs';",
        "import path from 'path';",
        "import type { Snapshot } from '../../../main/shared/contract';",
        "import { ago } from '../format';",
        "import { useState } from 'react';",
        'export type T = [InstanceView, Snapshot];',
        'export const all = [INITIAL_DATA_ELEMENT_ID, readFileSync, path, ago, useState];',
      ].join('\n'),
    );
    expect(errors.map((e) => e.split(':')[0])).toEqual(['1', '2', '3', '4']);
    expect(errors[0]).toContain('The renderer imports only renderer/** and the node-free shared module');
  });

  it('the dashboard server never imports the renderer', async () => {
    const errors = await boundaryErrors('main/server/x.ts', "import { shellHtml } from '../../renderer/src/shell';\nexport { shellHtml };");
    expect(errors).toEqual([expect.stringMatching(/^1: .*The dashboard server imports no other surface/)]);
  });

  it('the tray app imports no other surface', async () => {
    const errors = await boundaryErrors(
      'main/app/x.ts',
      "import { startDashboardServer } from '../server/dashboard-server';\nimport { createDispatch } from '../ui-backend/handlers';\nimport { app } from 'electron';\nexport const all = [startDashboardServer, createDispatch, app];",
    );
    expect(errors).toEqual([expect.stringMatching(/^1: .*The tray app imports no other surface/)]);
  });

  it('the shared module imports only itself: no core, no package, no Node', async () => {
    const errors = await boundaryErrors(
      'main/shared/x.ts',
      "import type { Deps } from '../core/deps';\nimport { z } from 'zod';\nimport { join } from 'node:path';\nimport type { Snapshot } from './contract';\nexport type T = [Deps, Snapshot];\nexport const all = [z, join];",
    );
    expect(errors.map((e) => e.split(':')[0])).toEqual(['1', '2', '3', '3']);
  });

  it('the preload imports only the shared module (and Electron)', async () => {
    const errors = await boundaryErrors(
      'preload/x.ts',
      "import { contextBridge } from 'electron';\nimport type { Api } from '../main/shared/contract';\nimport { createDispatch } from '../main/ui-backend/handlers';\nexport const all = [contextBridge, createDispatch];\nexport type T = Api;",
    );
    expect(errors).toEqual([expect.stringMatching(/^3: .*The preload imports only the node-free shared module/)]);
  });
});
