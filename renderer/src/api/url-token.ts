// The dashboard's first URL carries the access token (?token=…). The server answers it with the page itself and
// an HttpOnly session cookie; the page then takes the token out of the address bar and the history entry at
// once, before anything else runs, so it is neither bookmarked, shared by copy-paste nor left in the history.

/** The same URL without its `token` parameter, or null when it has none. */
export function withoutToken(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}${url.hash}`;
}

export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

/** Replace the current history entry by the token-less URL (no navigation, no request). Returns true when it did. */
export function scrubToken(location: { href: string }, history: HistoryLike): boolean {
  const clean = withoutToken(location.href);
  if (clean === null) return false;
  try {
    history.replaceState(history.state, '', clean);
    return true;
  } catch {
    return false;
  }
}
