// A modal dialog: overlay, focus in the first field on open, Tab kept inside, Escape and backdrop click close
// it, and focus goes back to whatever opened it. The title is the dialog's accessible name (aria-labelledby).
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { focusables, trapTab } from './focus';

export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;
  // the opener, read while rendering: by the time effects run, an autoFocus field has already taken the focus
  const [opener] = useState(() => document.activeElement as HTMLElement | null);

  // once per opening: remember the opener, focus the first field (else the first action that is not "×")
  useEffect(() => {
    const box = ref.current;
    const first =
      box?.querySelector<HTMLElement>('[autofocus], input:not([disabled]), select:not([disabled]), textarea:not([disabled])') ??
      (box ? focusables(box).find((el) => !el.classList.contains('close')) : undefined);
    first?.focus();
    return () => {
      // the opener may have been re-rendered away (e.g. a card's menu): fall back to the page's main heading
      if (opener && opener.isConnected && opener !== document.body) opener.focus();
      else document.querySelector<HTMLElement>('h1')?.focus();
    };
  }, [opener]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        close.current();
      } else if (e.key === 'Tab' && ref.current) trapTab(ref.current, e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`dialog${wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        ref={ref}
      >
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="link-button close" onClick={onClose} aria-label={`Close “${title}”`}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
