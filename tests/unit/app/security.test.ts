import { describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy, hardenWebContents, isAllowedNavigation, isHttpUrl, withCsp } from '../../../main/app/security';
import type { WebContents } from 'electron';

describe('isHttpUrl', () => {
  it('accepts http and https only', () => {
    expect(isHttpUrl('http://localhost:3001')).toBe(true);
    expect(isHttpUrl('https://example.com/x')).toBe(true);
    for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:', 'not a url', '']) {
      expect(isHttpUrl(u)).toBe(false);
    }
  });
});

describe('isAllowedNavigation', () => {
  const file = 'file:///opt/app/resources/app.asar/out/renderer/index.html';
  it('allows the packaged page itself, with another hash or query', () => {
    expect(isAllowedNavigation(`${file}#create`, file)).toBe(true);
    expect(isAllowedNavigation(`${file}?x=1`, file)).toBe(true);
  });
  it('refuses other files and other schemes from the packaged page', () => {
    expect(isAllowedNavigation('file:///etc/passwd', file)).toBe(false);
    expect(isAllowedNavigation('http://localhost:8001/api/v1/docs', file)).toBe(false);
  });
  it('allows the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    expect(isAllowedNavigation('http://localhost:5173/index.html#x', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
    expect(isAllowedNavigation('https://localhost:5173/', dev)).toBe(false);
    expect(isAllowedNavigation('garbage', dev)).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  it('is strict in production', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).toContain("object-src 'none'");
  });
  it('lets the dev server preamble and HMR websocket through in dev only', () => {
    const csp = contentSecurityPolicy({ devServerUrl: 'http://localhost:5173' });
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self' ws://localhost:5173");
  });
  it('leaves out frame-ancestors in the <meta> variant (ignored there)', () => {
    expect(contentSecurityPolicy()).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy({ meta: true })).not.toContain('frame-ancestors');
    expect(contentSecurityPolicy({ meta: true })).toContain("script-src 'self';");
  });
  it('replaces any CSP header the server sent', () => {
    const h = withCsp({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' }, "default-src 'self'");
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] });
  });
});

describe('hardenWebContents', () => {
  function fakeContents() {
    const handlers = new Map<string, (e: { url: string; preventDefault(): void }) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const wc = {
      on: (name: string, fn: (e: { url: string; preventDefault(): void }) => void) => handlers.set(name, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => {
        openHandler = fn;
      },
    };
    return { wc: wc as unknown as WebContents, handlers, open: (url: string) => openHandler!({ url }) };
  }
  const appUrl = 'file:///app/out/renderer/index.html';

  it('blocks navigation away and sends http(s) targets to the browser', () => {
    const { wc, handlers } = fakeContents();
    const openExternal = vi.fn();
    hardenWebContents(wc, { appUrl, openExternal });
    const nav = (url: string) => {
      const e = { url, preventDefault: vi.fn() };
      handlers.get('will-navigate')!(e);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(nav(`${appUrl}#create`)).toBe(false);
    expect(nav('http://localhost:3001/')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('http://localhost:3001/');
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(handlers.has('will-redirect')).toBe(true);
    expect(handlers.has('will-attach-webview')).toBe(true);
  });
  it('denies every new window, opening http(s) links externally', () => {
    const { wc, open } = fakeContents();
    const openExternal = vi.fn();
    hardenWebContents(wc, { appUrl, openExternal });
    expect(open('http://localhost:16687')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['http://localhost:16687']]);
  });
});
