// ESLint: a few rules that catch real bugs (promises nobody awaits, unused code, hooks misuse), type-only imports
// marked as such, and the layer boundaries of docs/architecture.md ("Boundaries"). Formatting is Prettier's job.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ---- Layer boundaries (no-restricted-imports matches the import specifier as written; relative paths are used
// throughout, so a layer is recognised by its folder name after the leading ../ segments).
const from = (...folders) => `^(\\.\\./)+(main/)?(${folders.join('|')})(/|$)`;
const NODE_BUILTINS = [...builtinModules.filter((m) => !m.startsWith('_')), ...builtinModules.map((m) => `node:${m}`)];
const ELECTRON = { name: 'electron', message: 'Electron belongs to the tray app (main/app) and the preload only.' };
const SURFACES = 'surface (main/app, main/server, main/cli, renderer)';

/**
 * One `no-restricted-imports` setting per layer: the layers' globs are disjoint, so none overrides another —
 * but main/cli/args, inside main/cli and listed after it: its setting (stricter) replaces the CLI's there.
 */
const BOUNDARIES = {
  'main/core': {
    paths: [
      ELECTRON,
      { name: 'picocolors', message: 'Terminal rendering belongs to the CLI (main/cli): core returns data.' },
      { name: 'string-width', message: 'Terminal rendering belongs to the CLI (main/cli): core returns data.' },
      { name: 'cli-table3', message: 'Terminal rendering belongs to the CLI (main/cli): core returns data.' },
    ],
    patterns: [
      {
        regex: from('adapters', 'app', 'server', 'cli', 'ui-backend', 'renderer', 'preload'),
        message: 'main/core imports no adapter or surface: the outside world comes in through Deps (main/core/deps.ts).',
      },
    ],
  },
  'main/adapters': {
    paths: [ELECTRON],
    patterns: [
      {
        regex: from('app', 'server', 'cli', 'ui-backend', 'renderer', 'preload'),
        message: `main/adapters imports no ${SURFACES} and not main/ui-backend.`,
      },
    ],
  },
  'main/ui-backend': {
    paths: [ELECTRON],
    patterns: [
      {
        regex: from('app', 'server', 'cli', 'renderer', 'preload'),
        message: `main/ui-backend is shared by the surfaces: it imports no ${SURFACES}.`,
      },
    ],
  },
  'main/server': {
    paths: [ELECTRON],
    patterns: [
      {
        regex: from('app', 'cli', 'renderer', 'preload'),
        message: 'The dashboard server imports no other surface: what it shares with the renderer lives in main/shared.',
      },
    ],
  },
  'main/app': {
    patterns: [
      {
        regex: from('cli', 'server', 'renderer', 'preload'),
        message: 'The tray app imports no other surface: it shares main/ui-backend with the dashboard server.',
      },
    ],
  },
  'main/cli': {
    paths: [ELECTRON],
    patterns: [{ regex: from('app', 'renderer', 'preload'), message: 'The CLI imports neither the tray app nor the renderer.' }],
  },
  'main/cli/args': {
    patterns: [
      { regex: '^\\.\\./', message: 'main/cli/args imports only its own folder: the commands import it, not the other way.' },
      {
        regex: '^(?!node:util$)[^.]',
        message: 'main/cli/args loads nothing but node:util: every start of the CLI pays for what it loads.',
      },
    ],
  },
  'main/shared': {
    paths: NODE_BUILTINS.map((name) => ({ name, message: 'main/shared is node-free: the renderer imports it.' })),
    patterns: [
      { regex: '^\\.\\./', message: 'main/shared imports only main/shared (the renderer and the preload import it).' },
      { regex: '^[^.]', message: 'main/shared imports no package: it is plain TypeScript the renderer and the preload import.' },
    ],
  },
  preload: {
    patterns: [{ regex: '^\\.\\./(?!main/shared/)', message: 'The preload imports only the node-free shared module (main/shared).' }],
  },
  'renderer/src': {
    paths: [ELECTRON, ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer runs in a browser sandbox: no Node modules.' }))],
    patterns: [
      {
        regex: '^(\\.\\./)+main/(?!shared/)',
        message: 'The renderer imports only renderer/** and the node-free shared module (main/shared).',
      },
    ],
  },
};

/** no-restricted-imports does not look at `import('…')`: the same rules as selectors (esquery regexes cannot hold a '/'). */
function dynamicImportsOf(setting) {
  const esc = (re) => re.replaceAll('/', '\\x2F');
  const rules = (setting.patterns ?? []).map(({ regex, message }) => ({
    selector: `ImportExpression > Literal.source[value=/${esc(regex)}/]`,
    message,
  }));
  for (const { name, message } of setting.paths ?? [])
    rules.push({ selector: `ImportExpression > Literal.source[value="${name}"]`, message });
  return rules;
}

// Every global of the Node running ESLint, plus CommonJS's module scope: the environment of the .mjs/.cjs scripts.
const NODE_GLOBALS = Object.fromEntries(
  [...Object.getOwnPropertyNames(globalThis), 'require', 'module', 'exports', '__dirname', '__filename'].map((n) => [n, 'readonly']),
);

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'build/vendor/', 'tests/e2e/.screenshots/', '**/*.d.ts'],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: NODE_GLOBALS },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.node.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection kills the CLI) and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (event handlers, setTimeout): same loss.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // `import type` for what is only a type: erased at build time, so a type never drags a module into a bundle.
      // (`typeof import('node:http')` stays allowed: it is type-only already, and it is how lazy loaders are typed.)
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Not part of either tsconfig: linted without type information.
    files: ['renderer/vite.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false } },
  },
  {
    // Tests read the CLI's --json documents and the engine's answers without declaring every shape.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  ...Object.entries(BOUNDARIES).map(([folder, setting]) => ({
    files: [`${folder}/**/*.{ts,tsx}`],
    rules: { 'no-restricted-imports': ['error', setting], 'no-restricted-syntax': ['error', ...dynamicImportsOf(setting)] },
  })),
);
