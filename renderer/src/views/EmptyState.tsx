// No instance yet: say what to do (choose a repository, create, or `ktrdr-sandbox init` in a checkout).
import { useApp } from '../app-context';

export function EmptyState() {
  const app = useApp();
  const repo = app.snapshot.repository;
  return (
    <section className="empty" data-testid="empty-state">
      <div className="empty-art" aria-hidden="true">
        ▢▢▢
      </div>
      {repo ? (
        <>
          <h2>No instances yet</h2>
          <p>
            An instance is a complete stack of your project — its own worktree, port slot, containers, volumes and network — running beside
            the others.
          </p>
          <p>
            New instances are created from <span className="mono">{repo}</span>.
          </p>
          <div className="empty-actions">
            <button type="button" className="primary" data-testid="empty-create" onClick={app.openCreate}>
              Create instance
            </button>
            <button type="button" onClick={app.openSettings}>
              Choose another repository
            </button>
          </div>
        </>
      ) : (
        <>
          <h2>Choose a repository</h2>
          <p>
            Tell the dashboard which checkout to create instances from: set the repository in Settings, or start it inside the checkout.
          </p>
          <div className="empty-actions">
            <button type="button" className="primary" data-testid="empty-settings" onClick={app.openSettings}>
              Open settings
            </button>
          </div>
        </>
      )}
      <p className="muted small">
        Already have a clone or worktree? Run <code>ktrdr-sandbox init</code> inside it to register it — it appears here at once.
      </p>
    </section>
  );
}
