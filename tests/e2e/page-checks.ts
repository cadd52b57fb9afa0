// Checks of the page a user's browser shows, for the e2e tests: horizontal overflow, landmarks, WCAG contrast
// computed from the rendered colours, and axe-core (a devDependency: node_modules/axe-core/axe.min.js; missing,
// the check fails); all of them in light and dark at once (checkView), at a given window size (atSize); and the
// tracked docs pictures, hashed (docsPictures), which only npm run docs:screenshots may rewrite.
// Page-side code is passed as strings: the tests are type-checked without the DOM library.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../integration/world';

export const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Interactive elements (and the page itself) that reach past the viewport's right edge. */
export function overflow(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    const w = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > w + 1) out.push('page scrollWidth ' + document.documentElement.scrollWidth + ' > ' + w);
    for (const el of document.querySelectorAll('button, a, input, select, [tabindex]')) {
      const r = el.getBoundingClientRect();
      if (!r.width || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.right > w + 1 || r.left < -1) out.push((el.getAttribute('data-testid') || el.textContent.trim().slice(0, 30)) + ' at ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return out;
  })()`);
}

/** Landmarks and headings: [number of h1, number of banner landmarks]. */
export function structure(page: Page): Promise<{ h1: number; banners: number; unnamedButtons: string[] }> {
  return page.evaluate(`(() => {
    const scoped = (el) => el.parentElement && el.parentElement.closest('article, aside, main, nav, section, [role=dialog]');
    const banners = [...document.querySelectorAll('header, [role=banner]')].filter((el) => el.getAttribute('role') === 'banner' || !scoped(el));
    const unnamed = [...document.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim())).map((b) => b.outerHTML.slice(0, 80));
    return { h1: document.querySelectorAll('h1').length, banners: banners.length, unnamedButtons: unnamed };
  })()`);
}

/**
 * WCAG 2 contrast of every visible text (disabled controls exempt, as in WCAG): the text colour against the
 * composited backgrounds behind it. With a dialog open only the dialog is checked (the rest is behind the
 * overlay). Returns the texts below 4.5:1 (3:1 for large text).
 */
export function contrastFailures(page: Page): Promise<Array<{ text: string; ratio: number; fg: string; bg: string }>> {
  return page.evaluate(`(() => {
    const parse = (c) => {
      let m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/.exec(c);
      if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
      m = /color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)/.exec(c);
      if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
      return null;
    };
    const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const root = document.querySelector('[role=dialog]') || document.body;
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const done = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || done.has(el) || !n.textContent.trim()) continue;
      done.add(el);
      if (el.closest('[aria-hidden=true], button:disabled, input:disabled, select:disabled, option, .sr-only')) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (!r.width || !r.height || cs.visibility !== 'visible') continue;
      let fg = parse(cs.color);
      if (!fg) continue;
      let opacity = 1;
      const layers = [];
      let gradient = false;
      for (let a = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        opacity *= +s.opacity;
        if (s.backgroundImage !== 'none') gradient = true;
        const bg = parse(s.backgroundColor);
        if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
      }
      if (gradient) continue;
      let bg = [255, 255, 255, 1];
      for (const l of layers.reverse()) bg = over(l, bg);
      fg = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && +cs.fontWeight >= 700);
      const q = ratio(fg, bg);
      if (q < (large ? 3 : 4.5) - 0.005) out.push({ text: n.textContent.trim().slice(0, 40), ratio: Math.round(q * 100) / 100, fg: cs.color, bg: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')' });
    }
    return out;
  })()`);
}

/** axe-core's serious and critical violations. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!existsSync(AXE)) throw new Error(`axe-core is missing (${AXE}): run npm ci (it is a devDependency).`);
  if (!(await page.evaluate('typeof window.axe'))?.toString().includes('object')) await page.evaluate(`${readFileSync(AXE, 'utf8')}\n;0`);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`);
}

/**
 * The page in light and dark (the theme follows the system): a screenshot of each into every folder of `to.dirs`
 * (`NAME-WxH-SCHEME.png`; the light one also to `to.readme`), then no text below 4.5:1, one h1, one banner
 * landmark, every button named, no serious or critical axe-core finding. The page is light again after.
 */
export async function checkView(page: Page, name: string, to: { dirs: string[]; readme?: string }): Promise<void> {
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(50);
      const size = page.viewportSize()!;
      for (const dir of to.dirs) await page.screenshot({ path: join(dir, `${name}-${size.width}x${size.height}-${scheme}.png`) });
      if (to.readme && scheme === 'light') await page.screenshot({ path: to.readme });
      expect(await contrastFailures(page), `${name} ${scheme}: texts below 4.5:1`).toEqual([]);
      const s = await structure(page);
      expect(s.h1, `${name}: one h1`).toBe(1);
      expect(s.banners, `${name}: one banner landmark`).toBe(1);
      expect(s.unnamedButtons).toEqual([]);
      expect(await axeViolations(page), `${name} ${scheme}: axe-core serious/critical`).toEqual([]);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** Run fn with the window at this size, then back to the size it had. */
export async function atSize(page: Page, size: { width: number; height: number }, fn: () => Promise<void>): Promise<void> {
  const before = page.viewportSize()!;
  await page.setViewportSize(size);
  try {
    await fn();
  } finally {
    await page.setViewportSize(before);
  }
}

/** Content hash of every tracked docs picture an e2e run could write: an ordinary run must leave them alone. */
export function docsPictures(): Record<string, string> {
  const dir = join(ROOT, 'docs', 'screenshots');
  const files = [join(ROOT, 'docs', 'dashboard.png'), ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [])];
  return Object.fromEntries(files.filter((f) => existsSync(f)).map((f) => [f, createHash('sha256').update(readFileSync(f)).digest('hex')]));
}
