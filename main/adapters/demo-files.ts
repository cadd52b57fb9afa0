// The demo's files: where it lives (a cache directory, never the user's work), the embedded examples, and
// the throw-away git repository made from one of them. Images the examples build carry the label
// org.ktrdr-sandbox.example (their Dockerfiles set it): `demo --clean --images` removes only those.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SandboxError } from '../core/errors';
import { DEMO_MARKER, type DemoFiles } from '../core/use-cases/demo';
import { childEnv } from './child-env';
import { dockerodeOptions, resolveDockerEndpointFromSystem } from './docker-endpoint';
import { packageRoot } from './package-root';

export const EXAMPLE_IMAGE_LABEL = 'org.ktrdr-sandbox.example';

/** $KTRDR_SANDBOX_DEMO_DIR, else the user cache directory's ktrdr-sandbox/demo (like the V8 code cache). */
export function demoRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KTRDR_SANDBOX_DEMO_DIR) return path.resolve(env.KTRDR_SANDBOX_DEMO_DIR);
  const home = env.HOME || os.homedir();
  const cache =
    env.XDG_CACHE_HOME ||
    (platform === 'darwin'
      ? path.join(home, 'Library', 'Caches')
      : platform === 'win32'
        ? env.LOCALAPPDATA || path.join(home, 'AppData', 'Local')
        : path.join(home, '.cache'));
  return path.join(cache, 'ktrdr-sandbox', 'demo');
}

export function examplesDir(): string {
  return path.join(packageRoot(), 'examples');
}

export function createDemoFiles(env: NodeJS.ProcessEnv = process.env): DemoFiles {
  const root = demoRoot(env);
  const marker = path.join(root, DEMO_MARKER);
  return {
    root,
    examples() {
      const dir = examplesDir();
      if (!existsSync(dir)) return {};
      return Object.fromEntries(
        readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => [e.name, path.join(dir, e.name)]),
      );
    },
    exists: (p) => existsSync(p),
    async ensureRoot() {
      if (existsSync(root) && !existsSync(marker) && readdirSync(root).length) {
        throw new SandboxError('STATE', `${root} exists and is not a ktrdr-sandbox demo directory: it was left as it is`, {
          hint: 'Set KTRDR_SANDBOX_DEMO_DIR to another directory.',
        });
      }
      await mkdir(root, { recursive: true });
      writeFileSync(marker, 'A ktrdr-sandbox demo lives here. `ktrdr-sandbox demo --clean` removes this directory.\n');
    },
    async makeRepo(example, dest) {
      const src = this.examples()[example];
      if (!src) throw new SandboxError('USAGE', `No example "${example}"`);
      await cp(src, dest, { recursive: true, errorOnExist: true, force: false });
      const { execa } = await import('execa');
      const gitEnv = childEnv(env, {
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'ktrdr-sandbox demo',
        GIT_AUTHOR_EMAIL: 'demo@ktrdr-sandbox.invalid',
        GIT_COMMITTER_NAME: 'ktrdr-sandbox demo',
        GIT_COMMITTER_EMAIL: 'demo@ktrdr-sandbox.invalid',
      });
      for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete gitEnv[k];
      const git = (...args: string[]) => execa('git', args, { cwd: dest, env: gitEnv, extendEnv: false, stdin: 'ignore' });
      try {
        await git('init', '-q');
        await git('checkout', '-q', '-b', 'main');
        await git('add', '-A');
        await git('commit', '-q', '--no-gpg-sign', '-m', `ktrdr-sandbox demo: examples/${example}`);
      } catch (err) {
        await rm(dest, { recursive: true, force: true });
        throw new SandboxError('GIT_FAILED', `Could not make the demo repository: ${(err as Error).message.split('\n')[0]}`);
      }
    },
    async removeRoot() {
      if (!existsSync(root)) return false;
      if (!existsSync(marker)) {
        throw new SandboxError('STATE', `${root} has no ${DEMO_MARKER}: not removed`, {
          hint: 'It does not look like a directory the demo made.',
        });
      }
      await rm(root, { recursive: true, force: true });
      return true;
    },
  };
}

/** Remove the images the examples built (label org.ktrdr-sandbox.example); returns their tags or ids. */
export async function removeExampleImages(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const Docker = (await import('dockerode')).default;
  const docker = new Docker(dockerodeOptions(resolveDockerEndpointFromSystem(env), env));
  const images = await docker.listImages({ filters: JSON.stringify({ label: [EXAMPLE_IMAGE_LABEL] }) });
  const removed: string[] = [];
  for (const img of images) {
    await docker.getImage(img.Id).remove({ force: true });
    removed.push(...(img.RepoTags?.length ? img.RepoTags : [img.Id]));
  }
  return removed;
}
