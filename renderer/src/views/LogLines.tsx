// The log lines themselves: "service | text", the prefix padded to the longest service name of the instance
// and coloured per service, search matches marked. A focusable, scrollable box (arrow keys, Page Up/Down).
import { forwardRef, type ReactNode } from 'react';
import type { LogLineEvent } from '../../../main/shared/contract';

function mark(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const out: ReactNode[] = [];
  const low = text.toLowerCase();
  let at = 0;
  for (let i = low.indexOf(needle); i >= 0; i = low.indexOf(needle, at)) {
    out.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
  }
  out.push(text.slice(at));
  return out;
}

export const LogLines = forwardRef<
  HTMLPreElement,
  { lines: LogLineEvent[]; services: string[]; width: number; dropped: number; needle: string; total: number; onScroll: () => void }
>(function LogLines({ lines, services, width, dropped, needle, total, onScroll }, ref) {
  return (
    <pre
      className="log-lines"
      ref={ref}
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-label="Log lines"
      data-testid="logs-lines"
      data-count={lines.length}
      data-total={total}
    >
      {dropped > 0 && (
        <span className="muted">
          … {dropped} earlier lines dropped{'\n'}
        </span>
      )}
      {lines.map((l, i) => (
        <span key={i} className={l.stream === 'stderr' ? 'stderr' : undefined} data-service={l.service}>
          <span className={`prefix svc-${services.indexOf(l.service) % 6}`}>{l.service.padEnd(width)} |</span> {mark(l.text, needle)}
          {'\n'}
        </span>
      ))}
    </pre>
  );
});
