// Logs of an instance: every service in one stream (followLogs "*"), merged by time with a colour per service,
// or a chosen set; search, pause/resume, follow, copy and download. Escape closes it (focus goes back to the
// opener), the lines scroll by keyboard (the box takes focus).
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogLineEvent } from '../../../main/shared/contract';
import type { ErrorPayload } from '../../../main/shared/errors';
import { useApi, useLogVersion } from '../api/hooks';
import { useApp } from '../app-context';
import { copyText } from '../clipboard';
import { LogLines } from './LogLines';

export function LogsPanel({ id, service: only, onClose }: { id: string; service?: string; onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [instance, setInstance] = useState(id);
  const [services, setServices] = useState<string[]>([]);
  const [chosen, setChosen] = useState<Set<string> | null>(only ? new Set([only]) : null); // null: all
  const [subscription, setSubscription] = useState<string | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [paused, setPaused] = useState<LogLineEvent[] | null>(null);
  const box = useRef<HTMLPreElement>(null);
  const panel = useRef<HTMLElement>(null);
  useLogVersion(app.logs);
  const buffer = app.logs.get(subscription);

  useEffect(() => setInstance(id), [id]);
  useEffect(() => setChosen(only ? new Set([only]) : null), [only, id]);

  // Escape closes the panel (a dialog above it takes its own Escape first); focus moves into it on open
  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('[data-testid="logs-lines"]')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[role="dialog"]') || document.querySelector('[role="menu"]'))
        return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // the services of the instance (containers that exist)
  useEffect(() => {
    let live = true;
    setServices([]);
    void api.invoke('status', instance).then((r) => {
      if (!live) return;
      if (r.ok) setServices(r.value.services.map((s) => s.service));
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api, instance]);

  // one stream of every service; the chosen set only filters what is shown
  useEffect(() => {
    let live = true;
    let sub: string | null = null;
    setError(null);
    setSubscription(null);
    setFollow(true);
    setPaused(null);
    void api.invoke('followLogs', instance, '*', { tail: 200 }).then((r) => {
      if (!r.ok) {
        if (live) setError(r.error);
        return;
      }
      sub = r.value.subscription;
      if (live) setSubscription(sub);
      else void api.invoke('stopLogs', sub);
    });
    return () => {
      live = false;
      if (sub) {
        void api.invoke('stopLogs', sub);
        app.logs.drop(sub);
      }
    };
  }, [api, app.logs, instance]);

  const source = paused ?? buffer.lines;
  const needle = query.trim().toLowerCase();
  // the store's buffers change in place: filtered on every render (at most one per animation frame)
  const shown = source.filter(
    (l) =>
      (!chosen || chosen.has(l.service)) && (!needle || l.text.toLowerCase().includes(needle) || l.service.toLowerCase().includes(needle)),
  );
  const all = [...new Set([...services, ...buffer.lines.map((l) => l.service)])].sort();
  const width = Math.max(0, ...all.map((s) => s.length));

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow && !paused) el.scrollTop = el.scrollHeight;
  });

  const onScroll = () => {
    const el = box.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };
  // from "All", a service chip shows that service alone; then chips add and remove services
  const toggle = (s: string) =>
    setChosen((cur) => {
      if (!cur) return new Set([s]);
      const next = new Set(cur);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next.size === 0 || next.size === all.length ? null : next;
    });
  const text = () => shown.map((l) => `${l.service.padEnd(width)} | ${l.text}`).join('\n');
  const copy = async () => {
    const ok = await copyText(`${text()}\n`);
    app.toast(
      ok
        ? { kind: 'success', title: `Copied ${shown.length} log lines` }
        : { kind: 'info', title: 'Could not reach the clipboard', message: 'Use Download instead.' },
    );
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${text()}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${instance}-logs.txt`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const instances = app.snapshot.instances.map((v) => v.id);
  return (
    <section className="logs-panel" data-testid="logs-panel" aria-labelledby="logs-title" ref={panel}>
      <div className="logs-head">
        <h2 id="logs-title" className="logs-title">
          Logs
        </h2>
        <select value={instance} onChange={(e) => setInstance(e.target.value)} data-testid="logs-instance" aria-label="Instance">
          {(instances.includes(instance) ? instances : [instance, ...instances]).map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="logs-search"
          placeholder="Search"
          aria-label="Search the logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="logs-search"
        />
        <span
          className={`live-dot${subscription && !paused ? ' on' : ''}`}
          title={subscription ? (paused ? 'paused' : 'streaming') : 'not streaming'}
        />
        <span className="muted small" data-testid="logs-count" aria-live="polite">
          {needle || chosen ? `${shown.length} of ${source.length}` : source.length} lines
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="link-button"
          data-testid="logs-pause"
          aria-pressed={!!paused}
          onClick={() => setPaused((p) => (p ? null : [...buffer.lines]))}
        >
          {paused ? `▶ Resume${buffer.lines.length > paused.length ? ` (+${buffer.lines.length - paused.length})` : ''}` : '❚❚ Pause'}
        </button>
        {!follow && !paused && (
          <button type="button" className="link-button" onClick={() => setFollow(true)} data-testid="logs-follow">
            ↓ Follow
          </button>
        )}
        <button type="button" className="link-button" onClick={() => void copy()} data-testid="logs-copy">
          Copy
        </button>
        <button type="button" className="link-button" onClick={download} data-testid="logs-download">
          Download
        </button>
        <button type="button" className="link-button close" onClick={onClose} aria-label="Close logs" data-testid="logs-close">
          ×
        </button>
      </div>
      <div className="logs-services" role="group" aria-label="Services shown">
        <button
          type="button"
          className={`svc-chip${chosen ? '' : ' on'}`}
          aria-pressed={!chosen}
          data-testid="logs-all"
          onClick={() => setChosen(null)}
        >
          All
        </button>
        {all.map((s, i) => (
          <button
            key={s}
            type="button"
            className={`svc-chip svc-${i % 6}${chosen?.has(s) ? ' on' : ''}`}
            aria-pressed={!!chosen?.has(s)}
            data-testid={`logs-service-${s}`}
            onClick={() => toggle(s)}
          >
            {s}
          </button>
        ))}
      </div>
      {error && <div className="inline-error">{error.message}</div>}
      <LogLines
        ref={box}
        lines={shown}
        services={all}
        width={width}
        dropped={buffer.dropped}
        needle={needle}
        onScroll={onScroll}
        total={buffer.lines.length}
      />
    </section>
  );
}
