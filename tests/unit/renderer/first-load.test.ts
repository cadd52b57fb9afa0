// The page's first moments: the token leaves the address bar.
import { describe, expect, it } from 'vitest';
import { scrubToken, withoutToken } from '../../../renderer/src/api/url-token';


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
    const throwing = { state: null, replaceState: () => { throw new Error('SecurityError'); } };
    expect(scrubToken({ href: 'http://localhost:1/?token=t' }, throwing)).toBe(false);
  });
});
