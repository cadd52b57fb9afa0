// The shared data overlay in the dashboard (issue 14, item 4), in Chromium against the real engine: the Create
// dialog's "Keep shared data read-only for this instance (overlay)" records the instance's own choice; once it
// runs and writes into the shared folder, its details say "overlay — this instance wrote 1 file, 2 B" (the host's
// shared folder unchanged); "Reset shared writes" (after its confirmation) drops the write; the switch turns the
// overlay off for the next start.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type World } from '../integration/world';
import { sharedStack, shInApp } from '../integration/shared-stack';
import { openBrowser, type Browser } from './chromium';
import { startDashboard, type Dashboard } from './dashboard-process';
import { atSize, checkView, overflow } from './page-checks';

const SHOTS = join(ROOT, 'tests', 'e2e', '.screenshots');
let w: World;
let dash: Dashboard;
let browser: Browser;
let page: Page;
let shared: string;
const id = 'ov2-ui--a';
const pageErrors: string[] = [];
const card = () => page.getByTestId(`instance-${id}`);
const record = async () => JSON.parse(await readFile(w.registryFile, 'utf8')).instances[id];
const upper = () => join(w.home, '.ktrdr', 'sandbox', 'instances', id, 'overlay', 'data', 'upper');

const sh = (script: string) => shInApp(id, script);

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  ({ w, shared } = await sharedStack('ov2-ui'));
  dash = await startDashboard(w);
  browser = await openBrowser({ width: 1400, height: 900 });
  page = browser.page;
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await w?.cleanup();
}, 180_000);

describe('the shared data overlay in the dashboard', () => {
  it('the Create dialog records the instance’s own overlay', async () => {
    await page.goto(dash.url);
    await page.getByTestId('create-button').click();
    await page.getByTestId('create-name').fill('a');
    await expect.poll(() => page.getByTestId('create-name-status').getAttribute('data-valid')).toBe('true');
    await page.getByTestId('create-overlay').check();
    await page.getByTestId('create-submit').click();
    await page.getByTestId('create-dialog').waitFor({ state: 'detached', timeout: 60_000 });
    await card().waitFor();
    expect((await record()).sharedOverlay).toBe(true);
    // the card says it without opening the details
    await expect.poll(() => card().getByTestId('overlay-tag').innerText(), { timeout: 10_000 }).toBe('shared data: overlay');
  }, 90_000);

  it('once it runs and writes, its details show the overlay and what it wrote; the shared folder is unchanged', async () => {
    await card().getByTestId('btn-start').click();
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 180_000, interval: 250 }).toBe('running');
    await expect.poll(() => card().getByTestId('status-badge').getAttribute('data-busy'), { timeout: 60_000 }).toBe('');
    expect(await sh('echo a > /data/a.txt && cat /data/a.txt')).toEqual({ code: 0, out: 'a' });
    expect(await readdir(shared)).toEqual(['existing.txt']);
    await card().getByTestId('btn-details').click();
    const row = card().getByTestId('shared-data');
    await row.waitFor({ timeout: 30_000 });
    expect(await card().getByTestId('shared-folder-data').getAttribute('data-mode')).toBe('overlay');
    expect(await row.innerText()).toMatch(/data\s+overlay — this instance wrote 1 file, 2 B/);
    await card().getByTestId('btn-shared-reset').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'shared-overlay-details.png') });
  }, 240_000);

  it('the shared data reads well at tray size (400×700), light and dark', async () => {
    await atSize(page, { width: 400, height: 700 }, async () => {
      await card().getByTestId('btn-shared-overlay').scrollIntoViewIfNeeded();
      expect(await overflow(page)).toEqual([]);
      await checkView(page, 'shared-overlay', { dirs: [SHOTS] });
    });
  }, 60_000);

  it('"Reset shared writes" asks first, then drops the write (the service restarted)', async () => {
    await card().getByTestId('btn-shared-reset').click();
    const confirm = card().getByTestId('shared-reset-confirm-row');
    expect(await confirm.innerText()).toMatch(new RegExp(`Drop what ${id} wrote to data\\? Its services using them restart.`));
    expect(await readdir(upper())).toEqual(['a.txt']); // nothing dropped before the confirmation
    await page.screenshot({ path: join(SHOTS, 'shared-overlay-confirm.png') });
    await card().getByTestId('shared-reset-confirm').click();
    await expect
      .poll(() => card().getByTestId('shared-data').innerText(), { timeout: 120_000, interval: 250 })
      .toMatch(/wrote 0 files, 0 B/);
    expect(await readdir(upper())).toEqual([]);
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 60_000, interval: 250 }).toBe('running');
    expect(await sh('test -e /data/a.txt && echo still || echo gone; cat /data/existing.txt')).toEqual({ code: 0, out: 'gone\noriginal' });
    expect(await readdir(shared)).toEqual(['existing.txt']);
    expect(await card().getByTestId('btn-shared-reset').count()).toBe(0); // nothing left to drop
  }, 180_000);

  it('the switch turns its overlay off for the next start', async () => {
    await card().getByTestId('btn-shared-overlay').click();
    await expect.poll(async () => (await record()).sharedOverlay, { timeout: 30_000 }).toBe(false);
    await expect.poll(() => card().getByTestId('overlay-tag').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => card().getByTestId('shared-folder-data').getAttribute('data-mode'), { timeout: 30_000 }).toBe('read-write');
    expect(await card().getByTestId('shared-data').innerText()).toMatch(/data\s+shared \(read-write\)/);
    // it runs: the containers keep the overlay until it restarts, and the details say so (from their own mounts)
    expect(await card().getByTestId('shared-folder-data').innerText()).toMatch(/its running containers still see it through the overlay/);
    expect(await card().getByTestId('shared-pending').innerText()).toMatch(/keep their mounts until it restarts/);
    await page.screenshot({ path: join(SHOTS, 'shared-overlay-off.png') });
  }, 60_000);

  it('logged no page error', () => {
    expect(pageErrors).toEqual([]);
  });
});
