// The dashboard for real: `ktrdr-sandbox dashboard` as a subprocess against a temp HOME, the real Docker engine
// and the fixture stack; Chromium (see chromium.ts) driven by playwright-core. Create → start → gate green → links →
// logs → stop → start → `docker stop` from outside (UI within 1 s) → destroy (refused while dirty, then forced).
// Screenshots of each state land in tests/e2e/.screenshots/ (git-ignored).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeWorld, projectResources, serviceContainer, waitDockerHealthy, type World } from '../integration/world';
import { openBrowser, type Browser } from './chromium';
import { startDashboard, type Dashboard } from './dashboard-process';
import { portFree, rawRequest, rssMb, slotPortList, type RawRequest } from './harness';

// run screenshots: git-ignored (the docs' screenshots come from ui.test.ts with KTRDR_DOCS_SCREENSHOTS=1)
const SHOTS = join(ROOT, 'tests', 'e2e', '.screenshots');
const NAME = 'feat-ui';

let w: World;
let dash: Dashboard;
let url: string;
let port: number;
let browser: Browser;
let page: Page;
let slot: number;
let id: string;
const pageErrors: string[] = [];

function shot(name: string): Promise<Buffer> {
  return page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** A raw request to the dashboard under test (see harness.ts). */
const request = (opts: RawRequest) => rawRequest(port, opts);

const card = () => page.getByTestId(`instance-${id}`);

/** Wait for the live gate's verdict; a failure fails at once, naming the failed checks. */
async function expectGatePassed(): Promise<void> {
  const gate = card().getByTestId('gate-view');
  await expect.poll(() => gate.getAttribute('data-verdict'), { timeout: 230_000, interval: 250 }).not.toBe('running');
  if ((await gate.getAttribute('data-verdict')) !== 'passed') {
    await shot('gate-failed.tmp');
    expect.fail(`the gate failed:\n${await gate.innerText()}`);
  }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  w = await makeWorld();
  dash = await startDashboard(w);
  expect(dash.info.schema).toBe('ktrdr-sandbox/dashboard@1');
  url = dash.url;
  port = dash.port;
  browser = await openBrowser({ width: 1280, height: 860 });
  page = browser.page;
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  const code = await dash?.stop();
  if (code !== 0 && code !== null) process.stderr.write(`dashboard exited with ${code}\n${dash.log()}\n`);
  await w?.cleanup();
});

describe('dashboard server security', () => {
  it('refuses requests without the token, with a foreign Host or a foreign Origin', async () => {
    const token = new URL(url).searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const page401 = await request({ path: '/' });
    expect(page401.status).toBe(401);
    const api401 = await request({
      path: '/api/invoke/snapshot',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(api401.status).toBe(401);
    expect(JSON.parse(api401.body).ok).toBe(false);
    const events401 = await request({ path: '/api/events' });
    expect(events401.status).toBe(401);
    expect((await request({ path: '/?token=wrong' })).status).toBe(401);

    // DNS rebinding: a foreign Host is refused even with the right token
    const rebinding = await request({
      path: '/api/invoke/snapshot',
      method: 'POST',
      headers: { host: `evil.example:${port}`, 'x-ktrdr-token': token, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(rebinding.status).toBe(403);
    expect((await request({ path: `/?token=${token}`, headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await request({ path: '/', headers: { host: `127.0.0.1:${port + 1}`, 'x-ktrdr-token': token } })).status).toBe(403);
    const crossOrigin = await request({
      path: '/api/invoke/snapshot',
      method: 'POST',
      headers: { origin: 'http://evil.example', 'x-ktrdr-token': token, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(crossOrigin.status).toBe(403);

    // the token works: header for the API, ?token= once for the page (→ the page itself and a cookie; the page
    // then drops the token from the address bar, checked in Chromium below)
    const ok = await request({
      path: '/api/invoke/snapshot',
      method: 'POST',
      headers: { 'x-ktrdr-token': token, 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
      body: '[]',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { engine: { state: 'up' }, instances: [], repository: w.repo } });
    const login = await request({ path: `/?token=${token}`, headers: { host: `localhost:${port}` } });
    expect(login.status).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    // the first frame (top bar with the live summary) is in the page itself, painted before the script runs
    expect(login.body).toContain('<div class="summary">no instances</div>');
    const cookie = String(login.headers['set-cookie']?.[0] ?? '');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const withCookie = await request({ path: '/', headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['content-security-policy']).toContain("script-src 'self'");
    expect(withCookie.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(withCookie.headers['x-content-type-options']).toBe('nosniff');
    expect(withCookie.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('dashboard in Chromium against the real engine', () => {
  it('shows the empty state at first', async () => {
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`http://127.0.0.1:${port}/`); // the token left the address bar
    await expect.poll(() => page.getByTestId('empty-state').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByTestId('empty-state').innerText()).toContain('ktrdr-sandbox init');
    expect(await page.getByTestId('app').getAttribute('data-engine')).toBe('up');
    await shot('empty');
  });

  it('creates an instance from the dialog, with live name validation and the slot picker', async () => {
    await page.getByTestId('create-button').click();
    const dialog = page.getByTestId('create-dialog');
    await dialog.waitFor();
    const status = page.getByTestId('create-name-status');
    await page.getByTestId('create-name').fill('bad..name');
    await expect.poll(() => status.getAttribute('data-valid')).toBe('false');
    expect(await status.innerText()).toContain('Invalid instance name');
    expect(await page.getByTestId('create-submit').isDisabled()).toBe(true);
    await shot('create-invalid');

    await page.getByTestId('create-name').fill(NAME);
    await expect.poll(() => status.getAttribute('data-valid')).toBe('true');
    expect(await status.innerText()).toContain(join(w.root, 'src', `ktrdr--${NAME}`));

    // the first slot whose ports are free on this host (other stacks may run beside the tests)
    await page.getByTestId('slot-option-1').waitFor();
    for (let s = 1; s <= 10; s++) {
      const state = await page.getByTestId(`slot-option-${s}`).getAttribute('data-state');
      if (state !== 'free') continue;
      if ((await Promise.all(slotPortList(s).map(portFree))).every(Boolean)) {
        slot = s;
        break;
      }
    }
    expect(slot, 'no free slot on this host').toBeGreaterThan(0);
    expect(await page.getByTestId('slot-option-0').getAttribute('data-state')).toBe('free');
    await page.getByTestId(`slot-option-${slot}`).click();
    expect(await page.getByTestId(`slot-option-${slot}`).getAttribute('aria-checked')).toBe('true');
    await shot('create-dialog');

    await page.getByTestId('create-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 60_000 });
    id = `ktrdr--${NAME}`;
    await card().waitFor();
    expect(await card().getAttribute('data-status')).toBe('stopped');
    expect(await card().getByTestId('slot').innerText()).toBe(`slot ${slot}`);
    expect(await card().getByTestId('branch').innerText()).toContain(NAME);
    expect(existsSync(join(w.root, 'src', id, '.env.sandbox'))).toBe(true);
  });

  it('starts it and shows the live gate turning green', async () => {
    await card().getByTestId('btn-start').click();
    const gate = card().getByTestId('gate-view');
    await gate.waitFor({ timeout: 30_000 });
    // live from the click on: the operation shows as running while compose starts the stack
    expect(await gate.getAttribute('data-verdict')).toBe('running');
    // the gate's checks appear once compose is up (a quick stack may have passed already when they are read)
    await card().getByTestId('gate-check-backend').waitFor({ timeout: 180_000 });
    expect(['running', 'passed']).toContain(await gate.getAttribute('data-verdict'));
    await shot('gate-running');
    await expectGatePassed();
    expect(await card().getByTestId('gate-verdict').innerText()).toMatch(/PASSED/);
    for (const check of ['database', 'migrations', 'backend', 'workers', 'grafana', 'jaeger', 'prometheus', 'containers']) {
      expect(await card().getByTestId(`gate-check-${check}`).getAttribute('data-state'), check).toBe('passed');
    }
    await shot('gate-passed');
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    expect(await card().getByTestId('last-gate').getAttribute('data-passed')).toBe('true');
  });

  it("links every port to the slot's URLs", async () => {
    const expected: Record<string, string> = {
      api: `http://localhost:${8000 + slot}/api/v1/docs`,
      grafana: `http://localhost:${3000 + slot}`,
      jaeger: `http://localhost:${16686 + slot}`,
      prometheus: `http://localhost:${9090 + slot}`,
    };
    for (const [name, href] of Object.entries(expected)) {
      const a = card().getByTestId(`link-${name}`);
      expect(await a.getAttribute('href'), name).toBe(href);
      expect(await a.getAttribute('target')).toBe('_blank');
      expect(await a.getAttribute('rel')).toBe('noreferrer');
    }
    expect(await card().locator('nav.links a').count()).toBe(4);
  });

  it('persists settings: the dark theme applies at once and survives a reload', async () => {
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings-panel').waitFor();
    expect(await page.getByTestId('settings-login').isDisabled()).toBe(true); // desktop app only
    await page.getByTestId('settings-theme').selectOption('dark');
    await shot('settings');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-panel').waitFor({ state: 'detached' });
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    await page.reload();
    await card().waitFor();
    await expect.poll(() => page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    await shot('dark');
    const saved = JSON.parse(await readFile(join(w.home, '.ktrdr', 'sandbox', 'dashboard-settings.json'), 'utf8'));
    expect(saved).toMatchObject({ theme: 'dark', repositoryRoot: null });
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings-theme').selectOption('system');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-panel').waitFor({ state: 'detached' });
  });

  it('shows every container healthy, the last gate per check, and streams logs', async () => {
    const count = card().getByTestId('containers-count');
    await expect
      .poll(async () => (await count.getAttribute('data-healthy')) === (await count.getAttribute('data-total')), {
        timeout: 90_000,
        interval: 500,
      })
      .toBe(true);
    expect(await count.getAttribute('data-total')).toBe('9');
    if (await card().getByTestId('gate-dismiss').count()) await card().getByTestId('gate-dismiss').click();
    await card().getByTestId('btn-details').click();
    await card().getByTestId('last-gate-checks').waitFor({ timeout: 15_000 });
    expect(await card().getByTestId('last-check-workers').getAttribute('data-state')).toBe('passed');
    await card().getByTestId('service-backtest-worker-1').waitFor();
    await shot('instance-running');
    await card().getByTestId('btn-details').click();

    await card().getByTestId('btn-logs').click();
    const panel = page.getByTestId('logs-panel');
    await panel.waitFor();
    const lines = page.getByTestId('logs-lines');
    await expect.poll(async () => Number(await lines.getAttribute('data-count')), { timeout: 20_000 }).toBeGreaterThan(0);
    // every service at first; then one service alone
    await page.getByTestId('logs-service-backtest-worker-1').click();
    await expect.poll(async () => Number(await lines.getAttribute('data-count')), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await lines.innerText()).toMatch(/listening on 0\.0\.0\.0:5003/);
    // a line written now arrives through the live stream (not just the initial tail)
    const worker = (
      await execa('docker', [
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${id}`,
        '--filter',
        'label=com.docker.compose.service=backtest-worker-1',
      ])
    ).stdout.trim();
    await execa('docker', ['exec', worker, 'sh', '-c', 'echo streamed-by-the-e2e-test > /proc/1/fd/1']);
    await expect.poll(() => lines.innerText(), { timeout: 10_000 }).toContain('streamed-by-the-e2e-test');
    await shot('logs');
    await page.getByTestId('logs-close').click();
    await panel.waitFor({ state: 'detached' });
  });

  it('stops it from the UI and starts it again', async () => {
    await card().getByTestId('btn-stop').click();
    // "stopped" shows as soon as nothing runs; the operation is over when the badge is no longer busy
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 120_000, interval: 250 }).toBe('stopped');
    await expect.poll(() => card().getByTestId('status-badge').getAttribute('data-busy'), { timeout: 120_000, interval: 250 }).toBe('');
    expect(await card().getByTestId('status-badge').innerText()).toMatch(/stopped/i);
    expect((await projectResources(id)).containers).toEqual([]);
    await card().getByTestId('btn-start').click();
    await card().getByTestId('gate-check-backend').waitFor({ timeout: 180_000 });
    await expectGatePassed();
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
  });

  it('shows a worker stopped with `docker stop` from outside within 1 s', async () => {
    // the gate ran the healthchecks itself; Docker's own health (which the card counts) catches up at its interval
    await waitDockerHealthy(id, 9);
    await expect.poll(async () => card().getByTestId('containers-count').innerText(), { timeout: 5_000 }).toBe('9/9 healthy');
    const cid = await serviceContainer(id, 'backtest-worker-1');
    expect(cid).toMatch(/^[0-9a-f]{12}$/);
    await card().getByTestId('gate-dismiss').click(); // the card alone shows the degradation
    // record in the page the moment the card leaves "running"
    // (page-side code as a string: this file is type-checked without the DOM library)
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="instance-${id}"]');
      delete window.__changedAt;
      new MutationObserver((_m, obs) => {
        if (el.getAttribute('data-status') !== 'running') {
          window.__changedAt = Date.now();
          obs.disconnect();
        }
      }).observe(el, { attributes: true, attributeFilter: ['data-status'] });
    })()`);
    await execa('docker', ['stop', cid]);
    const stoppedAt = Date.now();
    const changedAtInPage = () => page.evaluate<number | null>('window.__changedAt ?? null');
    await expect.poll(changedAtInPage, { timeout: 5_000, interval: 50 }).not.toBeNull();
    const changedAt = (await changedAtInPage())!;
    const finished = Date.parse((await execa('docker', ['inspect', '-f', '{{.State.FinishedAt}}', cid])).stdout.trim());
    const sinceDeath = changedAt - finished;
    const sinceStopReturned = changedAt - stoppedAt;
    process.stdout.write(
      `[e2e] UI updated ${sinceDeath} ms after the container died (${sinceStopReturned} ms after docker stop returned)\n`,
    );
    expect(sinceDeath).toBeLessThan(1000);
    expect(sinceStopReturned).toBeLessThan(1000);
    expect(await card().getAttribute('data-status')).toBe('partial');
    expect(await card().getByTestId('status-badge').innerText()).toMatch(/partial 8\/9/i);
    expect(await card().getByTestId('containers-count').innerText()).toBe('8/9 healthy');
    await shot('degraded');
  });

  it('keeps the server small', async () => {
    const mb = await rssMb(dash.pid);
    process.stdout.write(`[e2e] dashboard server RSS ${mb.toFixed(1)} MB\n`);
    expect(mb).toBeLessThan(150);
  });

  it('destroys it from the UI: confirmation with the path, the work at risk listed before the click, then forced', async () => {
    const path = join(w.root, 'src', id);
    await writeFile(join(path, 'notes.txt'), 'uncommitted work\n');
    await card().getByTestId('btn-destroy').click();
    const dialog = page.getByTestId('destroy-dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('destroy-path').innerText()).toBe(path);
    // the same risk check as the CLI, shown before any click; no "--force" advice for a GUI user
    const risk = page.getByTestId('destroy-risk');
    await risk.waitFor({ timeout: 60_000 });
    expect(await risk.innerText()).toContain('notes.txt (untracked)');
    expect(await dialog.innerText()).not.toContain('--force');
    expect(await page.getByTestId('destroy-force').innerText()).toContain('Destroy anyway');
    await shot('destroy-confirm');
    expect(existsSync(path)).toBe(true); // nothing was touched
    expect((await projectResources(id)).containers.length).toBeGreaterThan(0);
    await shot('destroy-refused');
    await page.getByTestId('destroy-force').click();
    await dialog.waitFor({ state: 'detached', timeout: 120_000 });
    await card().waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('empty-state').waitFor();
    expect(existsSync(path)).toBe(false);
    expect(await projectResources(id)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(JSON.parse(await readFile(w.registryFile, 'utf8')).instances).toEqual({});
  });

  it('shuts down cleanly on SIGTERM, the page having logged no error', async () => {
    expect(pageErrors).toEqual([]);
    expect(await dash.stop()).toBe(0);
  });
});
