import { defineConfig } from 'vitest/config';

// unit: pure logic with fakes, fast. local: real git, sockets, files and the built CLI, no Docker engine.
// integration: the real Docker engine, compose, git and files (serial, slow). e2e: the dashboard in real Chromium
// against the real engine. Every project fails a test that asserts nothing.
const expectations = { requireAssertions: true };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', expect: expectations } },
      {
        test: {
          name: 'local',
          include: ['tests/local/**/*.test.ts'],
          environment: 'node',
          expect: expectations,
          globalSetup: ['tests/local/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          expect: expectations,
          globalSetup: ['tests/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          expect: expectations,
          globalSetup: ['tests/e2e/global-setup.ts', 'tests/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
