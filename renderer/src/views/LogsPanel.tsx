// Logs of one service, streamed (followLogs → `log` events → stopLogs when closed or switched), autoscrolling.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ErrorPayload } from '../../../main/core/errors';
import { useApi, useLogVersion } from '../api/hooks';
import { useApp } from '../app-context';

export function LogsPanel({ id, service: initialService, onClose }: { id: string; service?: string; onClose: () => void }) {
  const api = useApi();
  const app = useApp();
  const [instance, setInstance] = useState(id);
  const [services, setServices] = useState<string[]>([]);
  const [service, setService] = useState<string | null>(initialService ?? null);
  const [subscription, setSubscription] = useState<string | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  useLogVersion(app.logs);
  const buffer = app.logs.get(subscription);

  useEffect(() => setInstance(id), [id]);
  useEffect(() => {
    if (initialService) setService(initialService);
  }, [initialService]);

  // The services of the instance (containers that exist).
  useEffect(() => {
    let live = true;
    setServices([]);
    void api.invoke('status', instance).then((r) => {
      if (!live) return;
      if (!r.ok) {
        setError(r.error);
        return;
      }
      const names = r.value.services.map((s) => s.service);
      setServices(names);
      setService((cur) => (cur && names.includes(cur) ? cur : names.includes('backend') ? 'backend' : (names[0] ?? null)));
    });
    return () => {
      live = false;
    };
  }, [api, instance]);

  // Follow the chosen service; stop the stream when switching or closing.
  useEffect(() => {
    if (!service) return;
    let live = true;
    let sub: string | null = null;
    setError(null);
    setSubscription(null);
    setFollow(true);
    void api.invoke('followLogs', instance, service, { tail: 200 }).then((r) => {
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
  }, [api, app.logs, instance, service]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  });

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };

  const instances = app.snapshot.instances.map((v) => v.id);
  return (
    <section className="logs-panel" data-testid="logs-panel" aria-label="Logs">
      <header className="logs-head">
        <strong>Logs</strong>
        <select value={instance} onChange={(e) => setInstance(e.target.value)} data-testid="logs-instance" aria-label="Instance">
          {(instances.includes(instance) ? instances : [instance, ...instances]).map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
        <select value={service ?? ''} onChange={(e) => setService(e.target.value)} data-testid="logs-service" aria-label="Service">
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className={`live-dot${subscription ? ' on' : ''}`} title={subscription ? 'streaming' : 'not streaming'} />
        <span className="muted small">{buffer.lines.length + buffer.dropped} lines</span>
        <span className="spacer" />
        {!follow && (
          <button type="button" className="link-button" onClick={() => setFollow(true)} data-testid="logs-follow">
            ↓ Follow
          </button>
        )}
        <button type="button" className="link-button close" onClick={onClose} aria-label="Close logs" data-testid="logs-close">
          ×
        </button>
      </header>
      {error && <div className="inline-error">{error.message}</div>}
      <pre className="log-lines" ref={box} onScroll={onScroll} data-testid="logs-lines" data-count={buffer.lines.length}>
        {buffer.dropped > 0 && <span className="muted">… {buffer.dropped} earlier lines dropped{'\n'}</span>}
        {buffer.lines.map((l, i) => (
          <span key={i + buffer.dropped} className={l.stream === 'stderr' ? 'stderr' : undefined}>
            {l.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}
