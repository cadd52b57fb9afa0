import type { Toast } from '../app-context';

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          data-testid="toast"
          data-kind={t.kind}
          role={t.kind === 'error' ? 'alert' : 'status'}
        >
          <div className="toast-body">
            <strong>{t.title}</strong>
            {t.message && <pre className="toast-message">{t.message}</pre>}
            {t.hint && <p className="hint">{t.hint}</p>}
            {t.action && (
              <button
                type="button"
                className="toast-action"
                data-testid="toast-action"
                onClick={() => {
                  dismiss(t.id);
                  void t.action!.run();
                }}
              >
                {t.action.label}
              </button>
            )}
          </div>
          <button type="button" className="link-button close" onClick={() => dismiss(t.id)} aria-label={`Dismiss “${t.title}”`}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
