// The page's first moments: the token leaves the address bar, and the state the server inlined is read back.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../main/shared/contract';
import { INITIAL_DATA_ELEMENT_ID, injectInitialData, scriptSafeJson } from '../../../main/shared/initial-data';
import { parseInitialData, takeInitialData } from '../../../renderer/src/api/initial-data';
import { scrubToken, withoutToken } from '../../../renderer/src/api/url-token';
import { escapeHtml, shellHtml } from '../../../main/shared/first-frame';
import type { InstanceView } from '../../../main/core/views';

const snap: Snapshot = {
  engine: { state: 'up', endpoint: 'unix', version: '20' },
  instances: [],
  orphans: [],
  busy: {},
  repository: '/repo',
  problems: [],
  updatedAt: 7,
};

describe('token scrubbing', () => {
  it('removes only the token, keeping path, other parameters and hash', () => {
    expect(withoutToken('http://127.0.0.1:7777/?token=abc')).toBe('/');
    expect(withoutToken('http://127.0.0.1:7777/x/y?a=1&token=abc&b=2#create')).toBe('/x/y?a=1&b=2#create');
    expect(withoutToken('http://127.0.0.1:7777/?a=1')).toBeNull();
    expect(withoutToken('not a url')).toBeNull();
  });

  it('replaces the history entry (no navigation) and keeps its state', () => {
    const calls: unknown[][] = [];
    const history = { state: { k: 1 }, replaceState: (...a: unknown[]) => void calls.push(a) };
    expect(scrubToken({ href: 'http://localhost:1/?token=t#create' }, history)).toBe(true);
    expect(calls).toEqual([[{ k: 1 }, '', '/#create']]);
    expect(scrubToken({ href: 'http://localhost:1/' }, history)).toBe(false);
    expect(calls).toHaveLength(1);
    const throwing = {
      state: null,
      replaceState: () => {
        throw new Error('SecurityError');
      },
    };
    expect(scrubToken({ href: 'http://localhost:1/?token=t' }, throwing)).toBe(false);
  });
});

describe('inlined initial data', () => {
  const settings = { repositoryRoot: '/repo', theme: 'dark' as const, startAtLogin: false, notifications: true };

  it('round-trips through the data block, hostile strings included', () => {
    const evil = { ...snap, repository: '</script><script>alert(1)</script>', problems: ['<!-- \u2028 \u2029 &amp;'] };
    const html = injectInitialData('<!doctype html><html><body><div id="root"></div></body></html>', { snapshot: evil, settings });
    expect(html).toMatch(new RegExp(`<script type="application/json" id="${INITIAL_DATA_ELEMENT_ID}">[^<]*</script></body>`));
    expect(scriptSafeJson(evil)).not.toMatch(/[<\u2028\u2029]/);
    const text = /<script type="application\/json"[^>]*>([^<]*)<\/script>/.exec(html)![1]!;
    expect(parseInitialData(text)).toEqual({ snapshot: evil, settings });
  });

  it('is ignored when missing or malformed (the page then asks for the snapshot)', () => {
    expect(parseInitialData(null)).toBeNull();
    expect(parseInitialData('')).toBeNull();
    expect(parseInitialData('{nope')).toBeNull();
    expect(parseInitialData('{"snapshot":{"instances":[]}}')).toBeNull();
    expect(parseInitialData(JSON.stringify({ snapshot: snap, settings: { theme: 3 } }))).toEqual({ snapshot: snap });
  });

  it('is taken out of the document once read', () => {
    let removed = false;
    const el = { textContent: JSON.stringify({ snapshot: snap }), remove: () => void (removed = true) };
    const doc = { getElementById: (id: string) => (id === INITIAL_DATA_ELEMENT_ID && !removed ? el : null) };
    expect(takeInitialData(doc)).toEqual({ snapshot: snap });
    expect(removed).toBe(true);
    expect(takeInitialData(doc)).toBeNull();
  });
});

describe('first frame (the static top bar the server puts into #root)', () => {
  const view = (id: string, status: InstanceView['status']): InstanceView =>
    ({
      id,
      path: `/p/${id}`,
      slot: 1,
      kind: 'worktree',
      branch: id,
      createdAt: '',
      status,
      dirExists: true,
      containers: { running: 0, healthy: 0, total: 9 },
      ports: [],
      links: [],
      lastGate: null,
    }) as InstanceView;

  it('shows the live summary and the repository, escaped', () => {
    const html = shellHtml({
      ...snap,
      instances: [view('a', 'running'), view('b', 'partial'), view('c', 'stopped')],
      repository: '/r/<b>&"x"',
    });
    expect(html).toContain('<div class="summary">1 running · 1 failing · 1 stopped</div>');
    expect(html).toContain('<bdi dir="ltr">/r/&lt;b&gt;&amp;&quot;x&quot;</bdi>');
    expect(html).toContain('title="Repository: /r/&lt;b&gt;&amp;&quot;x&quot;"');
    expect(html).not.toContain('data-testid'); // the tests (and users) wait for the real app
    expect(html.match(/<button[^>]*disabled>/g)).toHaveLength(2);
    expect(shellHtml({ ...snap, repository: null })).not.toContain('class="repo');
    expect(shellHtml(snap)).toContain('>no instances<');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('goes into the empty #root, with the chosen theme on <html>', () => {
    const page = '<!doctype html><html lang="en"><head></head><body><div id="root"></div></body></html>';
    const settings = { repositoryRoot: null, theme: 'dark' as const, startAtLogin: false, notifications: true };
    const dark = injectInitialData(page, { snapshot: snap, settings });
    expect(dark).toContain('<html data-theme="dark" lang="en">');
    expect(dark).toContain(`<div id="root">${shellHtml(snap)}</div>`);
    expect(injectInitialData(page, { snapshot: snap, settings: { ...settings, theme: 'system' } })).toContain('<html lang="en">');
    expect(injectInitialData(page, { snapshot: { ...snap, repository: '$& $1' } })).toContain('<bdi dir="ltr">$&amp; $1</bdi>');
  });
});
