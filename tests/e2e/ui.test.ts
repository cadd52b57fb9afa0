// The dashboard as a demanding user meets it (issue 11), in Chromium against the real engine: the tray-size
// window (400×700) and a wide one, keyboard-only paths through dialogs, menus and the logs panel, contrast and
// landmarks and axe-core in light and dark, a CLI `up` whose progress shows in the window, the
// logs of every service with search, a gate that fails because the backend crashes — the card says which check,
// the log tail, the fix — and the headless Folder action offering the path to copy.
// Run screenshots go to tests/e2e/.screenshots/ (git-ignored); only KTRDR_DOCS_SCREENSHOTS=1 also writes the docs'
// screenshots of the main views into docs/screenshots/ and docs/dashboard.png (npm run docs:screenshots).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeWorld, type World } from '../integration/world';
import { openBrowser, type Browser } from './chromium';
import { startDashboard, type Dashboard } from './dashboard-process';
import { portFree, slotPortList } from './harness';
import { atSize as atSizeOf, checkView as checkViewOf, contrastFailures, docsPictures, overflow } from './page-checks';

const SHOTS = join(ROOT, 'tests', 'e2e', '.screenshots');
const DOCS = process.env.KTRDR_DOCS_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;
const TRAY = { width: 400, height: 700 };
const WIDE = { width: 1400, height: 900 };

let w: World;
let dash: Dashboard;
let browser: Browser;
let page: Page;
let id: string;
const pageErrors: string[] = [];

const docsBefore = docsPictures();

const card = () => page.getByTestId(`instance-${id}`);
const active = () =>
  page.evaluate<string>(
    `(() => { const a = document.activeElement; return a ? (a.getAttribute('data-testid') || a.getAttribute('aria-label') || a.tagName) : '' })()`,
  );
const inDialog = () => page.evaluate<boolean>(`!!document.activeElement && !!document.activeElement.closest('[role=dialog]')`);

/** Light and dark: the checks of page-checks.ts; the screenshots also into docs/ for npm run docs:screenshots. */
const checkView = (name: string, opts: { docs?: boolean; readme?: string } = {}) =>
  checkViewOf(page, name, {
    dirs: [SHOTS, ...(DOCS && opts.docs ? [DOCS] : [])],
    ...(DOCS && opts.readme ? { readme: join(ROOT, 'docs', opts.readme) } : {}),
  });
const atSize = (size: { width: number; height: number }, fn: () => Promise<void>) => atSizeOf(page, size, fn);

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  if (DOCS) await mkdir(DOCS, { recursive: true });
  w = await makeWorld('uiw');
  dash = await startDashboard(w);
  browser = await openBrowser(TRAY);
  await browser.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${dash.port}` });
  page = browser.page;
  // the browser's notifications, recorded (the setting is on by default; the permission granted)
  await page.addInitScript(
    `window.__notes = []; window.Notification = class { static permission = 'granted'; static requestPermission() { return Promise.resolve('granted'); } constructor(title, o) { window.__notes.push(title + ' | ' + ((o && o.body) || '')); } };`,
  );
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  const code = await dash?.stop();
  if (code !== 0 && code !== null) process.stderr.write(`dashboard exited with ${code}\n${dash.log()}\n`);
  await w?.cleanup();
});

describe('the dashboard at tray size, by keyboard, for every eye', () => {
  it('fits 400×700 and reads well, empty', async () => {
    await page.goto(dash.url);
    await page.getByTestId('empty-state').waitFor({ timeout: 15_000 });
    // the contrast check itself finds a low-contrast text (the light theme's old RUNNING badge: 4.07:1)
    await page.evaluate(
      `document.body.insertAdjacentHTML('beforeend', '<span id="probe" style="color:#17864b;background:#e3f5ea">RUNNING</span>')`,
    );
    expect(await contrastFailures(page)).toEqual([{ text: 'RUNNING', ratio: 4.07, fg: 'rgb(23, 134, 75)', bg: 'rgb(227,245,234)' }]);
    await page.evaluate(`document.getElementById('probe').remove()`);
    expect(await overflow(page)).toEqual([]);
    await checkView('empty', { docs: true });
    await atSize(WIDE, () => checkView('empty', { docs: true }));
  });

  it('traps focus in the Create dialog, which opens in its first field and gives focus back on Escape', async () => {
    await page.getByTestId('create-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('create-dialog').waitFor();
    expect(await active()).toBe('create-name'); // typing goes to the name at once
    await page.keyboard.type('feat-keys');
    expect(await page.getByTestId('create-name').inputValue()).toBe('feat-keys');
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press('Tab');
      expect(await inDialog(), `Tab #${i + 1} left the dialog`).toBe(true);
    }
    await page.getByTestId('create-name').focus();
    await page.keyboard.press('Shift+Tab');
    expect(await inDialog()).toBe(true);
    await expect.poll(() => page.getByTestId('create-name-status').getAttribute('data-valid')).toBe('true');
    expect(await overflow(page)).toEqual([]);
    await checkView('create-dialog', { docs: true });
    await page.keyboard.press('Escape');
    await page.getByTestId('create-dialog').waitFor({ state: 'detached' });
    expect(await active()).toBe('create-button');

    await page.getByTestId('settings-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('settings-panel').waitFor();
    expect(await active()).toBe('settings-repo');
    await checkView('settings-dialog');
    await page.keyboard.press('Escape');
    await page.getByTestId('settings-panel').waitFor({ state: 'detached' });
    expect(await active()).toBe('settings-button');
  });

  it("shows a CLI `up`'s progress live — compose's own steps with their time — and the gate passing", async () => {
    let slot = 0;
    // from the top: other tests on this engine take the lowest free slots
    for (let s = 10; s >= 1 && !slot; s--) if ((await Promise.all(slotPortList(s).map(portFree))).every(Boolean)) slot = s;
    expect(slot, 'no free slot on this host').toBeGreaterThan(0);
    const created = await w.cli(['create', 'feat-ui', '--slot', String(slot), '--json']);
    expect(created.code, created.stderr).toBe(0);
    id = created.json.instance.id;
    await card().waitFor({ timeout: 10_000 });

    const up = w.cli(['up', id, '--json'], { timeoutMs: 240_000 });
    const view = card().getByTestId('gate-view');
    await view.waitFor({ timeout: 30_000 });
    expect(await view.getAttribute('data-operation')).toBe(`up:${id}`);
    // compose's own progress, as sub-steps of "compose up -d", while the CLI still runs
    await card().getByTestId('sub-steps-compose-up').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'progress-from-cli-400.png') });
    await expect.poll(() => view.getAttribute('data-verdict'), { timeout: 230_000, interval: 250 }).not.toBe('running');
    const r = await up;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await view.getAttribute('data-verdict')).toBe('passed');
    // a notification for the verdict, though the CLI ran the gate
    await expect.poll(() => page.evaluate<string[]>('window.__notes')).toEqual([`${id}: gate passed | Every check passed.`]);
    expect(await card().getByTestId('sub-steps-compose-up').locator('li').count()).toBeGreaterThanOrEqual(9);
    // the JSON progress on stderr carries the same sub-steps
    expect(r.stderr).toMatch(/"parent":"compose-up"/);
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 60_000 }).toBe('running');
  });

  it('keeps every action of a running card reachable at 400 px (the ⋯ menu, by keyboard) and names the instance', async () => {
    await card().getByTestId('gate-dismiss').click();
    expect(await overflow(page)).toEqual([]);
    for (const name of [`Start ${id}`, `Stop ${id}`, `Logs of ${id}`, `More actions for ${id}`, `Copy the API docs URL of ${id}`]) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await card().getByTestId('btn-restart').isVisible()).toBe(false); // moved into the menu
    await card().getByTestId('btn-more').focus();
    await page.keyboard.press('Enter');
    await card().getByRole('menu').waitFor();
    expect(await active()).toBe('menu-restart');
    await page.keyboard.press('ArrowDown');
    expect(await active()).toBe('menu-gate');
    expect(await card().getByRole('menuitem').allInnerTexts()).toEqual([
      'Restart',
      'Run gate',
      'Open folder',
      'Open terminal',
      'Copy env',
      'Destroy…',
    ]);
    await page.keyboard.press('Escape');
    await card().getByRole('menu').waitFor({ state: 'detached' });
    expect(await active()).toBe('btn-more');
    await checkView('running', { docs: true });
    await atSize(WIDE, async () => {
      expect(await card().getByTestId('btn-restart').isVisible()).toBe(true);
      expect(await card().getByTestId('btn-more').isVisible()).toBe(false);
      // the README's picture: the last gate check by check, containers and endpoints
      await card().getByTestId('btn-details').click();
      await card().getByTestId('last-gate-checks').waitFor({ timeout: 15_000 });
      await card().getByTestId('service-backend').waitFor();
      await checkView('running', { docs: true, readme: 'dashboard.png' });
      await card().getByTestId('btn-details').click();
    });
  });

  it('draws a memory bar for the running instance; an instance on an engine that does not answer: badge, greyed, actions explained', async () => {
    // the running instance: the dashboard's sampler measures it (every 15 s at most) and the card draws its memory
    const meter = card().getByRole('meter', { name: `Memory of ${id}` });
    await meter.waitFor({ timeout: 40_000 });
    expect(Number(await meter.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect((await card().locator('.memory-fill').boundingBox())!.width).toBeGreaterThan(0);
    expect(await card().getByTestId('engine-badge').count()).toBe(0); // the default engine: no badge
    // an instance recorded on a docker context nobody answers at (an ssh port with nothing behind it)
    const dockerEnv = { ...process.env, HOME: w.home, DOCKER_CONFIG: join(w.home, '.docker') };
    await execa('docker', ['context', 'create', 'engvlab', '--docker', 'host=ssh://root@127.0.0.1:9'], { env: dockerEnv });
    const c = await w.cli(['create', 'engvlab', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const lab: string = c.json.instance.id;
    const setEngine = async (engine: unknown) => {
      const reg = JSON.parse(await readFile(w.registryFile, 'utf8'));
      if (engine) reg.instances[lab].engine = engine;
      else delete reg.instances[lab].engine;
      await writeFile(w.registryFile, `${JSON.stringify(reg, null, 2)}\n`);
    };
    await setEngine({ context: 'engvlab' });
    const labCard = page.getByTestId(`instance-${lab}`);
    try {
      await labCard.getByTestId('engine-badge').waitFor({ timeout: 15_000 });
      expect(await labCard.getByTestId('engine-badge').innerText()).toContain('engvlab');
      await labCard.getByTestId('engine-unreachable').waitFor({ timeout: 40_000 });
      expect(await labCard.getByTestId('engine-unreachable').innerText()).toMatch(
        /Engine engvlab unreachable.*Start, Stop, Reset and the gate are off/s,
      );
      // what needs the engine is off (Destroy stays: it checks the engine first), and Start all leaves it out
      for (const b of ['btn-start', 'btn-stop', 'btn-restart', 'btn-reset'])
        expect(await labCard.getByTestId(b).isDisabled(), `${b} of an instance whose engine is down`).toBe(true);
      expect(await page.getByTestId('start-all').innerText()).toBe('Start all');
      expect(await page.getByTestId('start-all').isDisabled()).toBe(true);
      expect(await page.getByTestId('stop-all').innerText()).toBe('Stop all (1)');
      expect(await labCard.getAttribute('class')).toContain('engine-down');
      // what its containers do is not known: not "stopped", on the card nor in the summary
      expect(await labCard.getByTestId('status-badge').innerText()).toMatch(/^unknown$/i);
      expect(await labCard.getByTestId('containers-count').count()).toBe(0);
      expect(await page.getByTestId('summary').innerText()).toBe('1 running · 1 unreachable');
      expect(await overflow(page)).toEqual([]);
      await checkView('engines', { docs: true });
      await atSize(WIDE, () => checkView('engines', { docs: true }));
      // back on the default engine, stopped: its card draws what it would need there against what is free
      await setEngine(null);
      const fit = labCard.getByTestId('fit');
      await fit.waitFor({ timeout: 40_000 });
      expect(await fit.innerText()).toMatch(
        /^needs [\d.]+ (MiB|GiB)( of [\d.]+ (MiB|GiB) free)? on default: (fits|does not fit|fit unknown)$/,
      );
      expect(await labCard.getByRole('meter', { name: `Memory ${lab} needs on default` }).count()).toBe(1);
      expect(await overflow(page)).toEqual([]);
    } finally {
      await setEngine(null);
      const d = await w.cli(['destroy', lab, '--force']);
      expect(d.code, d.stderr).toBe(0);
      await execa('docker', ['context', 'rm', '-f', 'engvlab'], { env: dockerEnv, reject: false });
    }
  });

  it('Folder without a desktop says so and copies the path instead', async () => {
    await card().getByTestId('btn-more').click();
    await card().getByTestId('menu-folder').click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Could not open the folder' });
    await toast.waitFor({ timeout: 10_000 });
    expect(await toast.innerText()).toContain('no desktop session');
    await toast.getByTestId('toast-action').click();
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(join(w.root, 'src', id));
  });

  it('shows the logs of every service merged, searches them, and closes on Escape giving focus back', async () => {
    await card().getByTestId('btn-logs').focus();
    await page.keyboard.press('Enter');
    const lines = page.getByTestId('logs-lines');
    await expect
      .poll(
        async () =>
          new Set(await lines.locator('[data-service]').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).size,
        { timeout: 20_000 },
      )
      .toBeGreaterThanOrEqual(5);
    expect(await active()).toBe('logs-lines'); // the box has focus: arrow keys and Page Up/Down scroll it
    expect(await overflow(page)).toEqual([]);
    expect(await page.getByTestId('logs-close').isVisible()).toBe(true);
    await page.getByTestId('logs-search').fill('health');
    await expect.poll(async () => Number(await lines.getAttribute('data-count'))).toBeGreaterThan(0);
    const texts = await lines.locator('[data-service]').allInnerTexts();
    expect(texts.every((t) => t.toLowerCase().includes('health'))).toBe(true);
    expect(Number(await lines.getAttribute('data-count'))).toBeLessThan(Number(await lines.getAttribute('data-total')));
    await page.screenshot({ path: join(SHOTS, 'logs-400.png') });
    await page.getByTestId('logs-search').fill('');
    await checkView('logs');
    // the lines scroll by keyboard
    await lines.focus();
    await expect.poll(() => lines.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    const bottom = await lines.evaluate((el) => el.scrollTop);
    await page.keyboard.press('PageUp');
    await expect.poll(() => lines.evaluate((el) => el.scrollTop)).toBeLessThan(bottom);
    await page.keyboard.press('Escape');
    await page.getByTestId('logs-panel').waitFor({ state: 'detached' });
    expect(await active()).toBe('btn-logs');
  });

  it('a backend that crashes at start: the card names the failed check, shows the log tail, links the full logs', async () => {
    const main = join(w.root, 'src', id, 'backend', 'main.py');
    await writeFile(main, `import module_missing_for_the_ui_test\n${await readFile(main, 'utf8')}`);
    const backend = (
      await execa('docker', [
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${id}`,
        '--filter',
        'label=com.docker.compose.service=backend',
      ])
    ).stdout.trim();
    await execa('docker', ['restart', '-t', '1', backend]);
    const gate = await w.cli(['gate', id, '--timeout', '60'], { timeoutMs: 120_000 });
    expect(gate.code, gate.stdout).toBe(2);
    const failure = card().getByTestId('gate-failure');
    await failure.waitFor({ timeout: 15_000 });
    expect(await card().getByTestId('gate-view').getAttribute('data-verdict')).toBe('failed');
    await expect
      .poll(
        async () => (await page.evaluate<string[]>('window.__notes')).filter((n) => n.startsWith(`${id}: gate FAILED | Failed: `)).length,
      )
      .toBe(1);
    const tail = card().getByTestId('log-tail-backend');
    expect(await tail.innerText()).toContain('module_missing_for_the_ui_test');
    // the CLI printed the same tail
    expect(gate.stdout).toContain('module_missing_for_the_ui_test');
    // the API link chip looks down while the backend is down
    await expect.poll(() => card().getByTestId('chip-api').getAttribute('data-state'), { timeout: 10_000 }).toBe('down');
    expect(await overflow(page)).toEqual([]);
    await checkView('failed', { docs: true });
    await atSize(WIDE, () => checkView('failed', { docs: true }));
    await card().getByTestId('open-logs-backend').click();
    await expect.poll(() => page.getByTestId('logs-service-backend').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Escape');
    // details show this gate once (the card's live view steps aside)
    await card().getByTestId('btn-details').click();
    await card().getByTestId('instance-details').waitFor();
    expect(await card().getByTestId('gate-view').count()).toBe(0);
    expect(await card().getByTestId('gate-failure').count()).toBe(1);
  });

  it('cancels a Start from the dashboard while compose works', async () => {
    const down = await w.cli(['down', id], { timeoutMs: 120_000 });
    expect(down.code, down.stderr).toBe(0);
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 30_000 }).toBe('stopped');
    await card().getByTestId('btn-start').click();
    // compose up waits for the database to be healthy: time enough to cancel
    await expect
      .poll(
        () =>
          card()
            .getByTestId('step-compose-up')
            .getAttribute('data-state')
            .catch(() => null),
        { timeout: 60_000, interval: 100 },
      )
      .toBe('running');
    await card().getByTestId('op-cancel').click();
    await expect
      .poll(
        () =>
          card()
            .getByTestId('operation-error')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000 },
      )
      .toContain('cancelled');
    await expect.poll(() => card().getByTestId('status-badge').getAttribute('data-busy'), { timeout: 30_000 }).toBe('');
    expect(await card().getByTestId('step-compose-up').getAttribute('data-state')).toBe('failed');
  });

  it('creates and starts a second instance from the dialog, then stops both with "Stop all"', async () => {
    const first = id;
    await page.getByTestId('create-button').click();
    await page.getByTestId('create-name').fill('feat-two');
    await expect.poll(() => page.getByTestId('create-name-status').getAttribute('data-valid')).toBe('true');
    let slot = 0;
    for (let s = 9; s >= 1 && !slot; s--) {
      if ((await page.getByTestId(`slot-option-${s}`).getAttribute('data-state')) !== 'free') continue;
      if ((await Promise.all(slotPortList(s).map(portFree))).every(Boolean)) slot = s;
    }
    expect(slot, 'no second free slot on this host').toBeGreaterThan(0);
    await page.getByTestId(`slot-option-${slot}`).click();
    await page.getByTestId('create-start').check();
    await page.getByTestId('create-submit').click();
    await page.getByTestId('create-dialog').waitFor({ state: 'detached', timeout: 60_000 });
    const two = page.getByTestId('instance-uiw--feat-two');
    await two.getByTestId('gate-view').waitFor({ timeout: 30_000 });
    expect(await two.getByTestId('gate-view').getAttribute('data-operation')).toBe('up:uiw--feat-two');
    await expect
      .poll(() => two.getByTestId('gate-view').getAttribute('data-verdict'), { timeout: 230_000, interval: 250 })
      .not.toBe('running');
    expect(await two.getByTestId('gate-view').innerText()).toContain('PASSED');
    await expect.poll(() => two.getAttribute('data-status'), { timeout: 60_000 }).toBe('running');
    expect(await overflow(page)).toEqual([]);
    await page.getByTestId('stop-all').click();
    for (const c of [two, page.getByTestId(`instance-${first}`)]) {
      await expect.poll(() => c.getAttribute('data-status'), { timeout: 120_000, interval: 250 }).toBe('stopped');
    }
    expect(await page.getByTestId('summary').innerText()).toMatch(/^(2 stopped|\d+ busy · \d+ stopped|2 busy)$/);
  });

  it('logged no page error', () => {
    expect(pageErrors).toEqual([]);
  });

  it.skipIf(DOCS !== null)('left the tracked docs pictures alone (only npm run docs:screenshots writes them)', () => {
    expect(Object.keys(docsBefore).length, 'docs/screenshots/*.png and docs/dashboard.png').toBeGreaterThan(1);
    expect(docsPictures()).toEqual(docsBefore);
  });
});
