// The Chromium the e2e tests drive: $CHROMIUM_PATH or $PLAYWRIGHT_CHROMIUM when set (it must then be an executable
// file), else the first of chromium, chromium-browser, google-chrome on PATH. None found FAILS the run with how to
// get one: the browser tests are never skipped, locally or under CI=true.
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  for (const key of ['CHROMIUM_PATH', 'PLAYWRIGHT_CHROMIUM']) {
    const file = env[key];
    if (!file) continue;
    if (executable(file)) return file;
    throw new Error(`${key}=${file} is not an executable file: point it at a Chromium or unset it.`);
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ON_PATH) {
    for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `No Chromium for the e2e tests: none of ${ON_PATH.join(', ')} is on PATH and CHROMIUM_PATH is not set. ` +
      `Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chrome.`,
  );
}

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a throw-away profile, one page at `viewport`. */
export async function openBrowser(viewport: { width: number; height: number }): Promise<Browser> {
  const executablePath = findChromium();
  const profile = await mkdtemp(join(tmpdir(), 'kts-chromium-'));
  const ctx = await chromium
    .launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
      viewport,
    })
    .catch(async (err: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw new Error(`Chromium (${executablePath}) did not start: ${err instanceof Error ? err.message : String(err)}`);
    });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    ctx,
    page,
    async close() {
      await ctx.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
