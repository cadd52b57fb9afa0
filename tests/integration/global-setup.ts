// Integration and e2e tests need the real Docker engine and the fixture image. A missing engine FAILS
// the run (locally and under CI=true): these tests are never skipped.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_IMAGE = 'ktrdr-sandbox-fixture:1';
const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(): Promise<void> {
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 15_000 });
  if (info.exitCode !== 0) {
    throw new Error(
      `The Docker engine is not reachable, and the integration tests need it (they are never skipped).\n` +
        `Start it (scripts/ci/docker-up.sh does so on Debian) and run again.\n${info.stderr}`,
    );
  }
  if (!existsSync(`${root}/dist/cli.cjs`)) throw new Error('dist/cli.cjs is missing: run `npm run build` first (npm test does).');
  const t0 = Date.now();
  const build = await execa('docker', ['build', '-q', '-t', FIXTURE_IMAGE, `${root}/tests/fixtures/stack/image`], {
    reject: false,
    timeout: 600_000,
  });
  if (build.exitCode !== 0) throw new Error(`Could not build ${FIXTURE_IMAGE}:\n${build.stderr}`);
  process.stdout.write(`[setup] engine ${info.stdout.trim()}, fixture image ready in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
}
