// Copy text from the page: the async Clipboard API (a secure context: 127.0.0.1 and Electron are), else the
// old selection + execCommand route. Returns whether the text reached the clipboard.
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok: boolean;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    const active = document.activeElement as HTMLElement | null;
    active?.focus?.();
    return ok;
  }
}

/** A POSIX shell word: the path quoted so that `cd` works whatever it contains. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
