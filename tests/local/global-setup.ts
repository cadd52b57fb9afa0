// The local tests drive real git, sockets, files and the built CLI on this machine, and never the Docker engine
// (that is the integration project's, behind tests/integration/global-setup.ts): they run, and fail, on their own.
// Here only the built CLI is required; a missing build FAILS the run.
import { execa } from 'execa';
import { CLI } from '../integration/world';

export default async function setup(): Promise<void> {
  const r = await execa(process.execPath, [CLI, '--version'], { reject: false, timeout: 30_000, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new Error(
      `The built CLI does not answer \`${CLI} --version\`: run \`npm run build\` first (npm test does).\n${String(r.stderr).trim()}`,
    );
  }
}
