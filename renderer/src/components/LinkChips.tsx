// The instance's links (API docs, Grafana, …) as chips, each with a copy button. A chip whose service is down
// (its container exists but does not run) looks down and says so; a stopped instance's chips look inactive.
import type { InstanceView } from '../../../main/shared/views';
import { useApp } from '../app-context';
import { copyText } from '../clipboard';
import { portOf } from '../format';

export function LinkChips({ view }: { view: InstanceView }) {
  const app = useApp();
  const active = view.status === 'running' || view.status === 'partial';
  const down = new Set(view.servicesDown ?? []);
  const serviceOf = (url: string) => view.ports.find((p) => String(p.port) === portOf(url))?.service;
  const copy = async (label: string, url: string) => {
    const ok = await copyText(url);
    app.toast(
      ok
        ? { kind: 'success', title: `Copied the ${label} URL`, message: url }
        : { kind: 'info', title: `${label} of ${view.id}`, message: url },
    );
  };
  return (
    <ul className="chips">
      {view.links.map((l) => {
        const service = serviceOf(l.url);
        const isDown = active && !!service && down.has(service);
        const state = !active ? 'inactive' : isDown ? 'down' : 'up';
        return (
          <li key={l.name} className={`chip chip-${state}`} data-testid={`chip-${l.name}`} data-state={state}>
            <a
              data-testid={`link-${l.name}`}
              href={l.url}
              target="_blank"
              rel="noreferrer"
              title={isDown ? `${service} is not running · ${l.url}` : l.url}
            >
              {isDown && <span className="chip-dot" aria-hidden="true" />}
              {l.label}
              <span className="port">:{portOf(l.url)}</span>
              {isDown && <span className="sr-only"> (down: {service} is not running)</span>}
            </a>
            <button
              type="button"
              className="chip-copy"
              aria-label={`Copy the ${l.label} URL of ${view.id}`}
              title="Copy URL"
              data-testid={`copy-${l.name}`}
              onClick={() => void copy(l.label, l.url)}
            >
              <CopyIcon />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** Two overlapping sheets (an inline SVG: every font has it). */
export function CopyIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M3 11V3.5C3 2.7 3.7 2 4.5 2H11" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}
