// Start all / Stop all: every instance that can, one after the other for Start (the stacks share the machine),
// all at once for Stop.
import { engineUnreachable, type InstanceView } from '../../../main/shared/views';
import { useApi } from '../api/hooks';
import { useApp } from '../app-context';

export function BulkActions({ instances }: { instances: InstanceView[] }) {
  const api = useApi();
  const app = useApp();
  const engineUp = app.snapshot.engine.state === 'up';
  const idle = (v: InstanceView) => !app.snapshot.busy[v.id] && !(app.progress[v.id] && !app.progress[v.id]!.finished);
  // an instance whose own engine does not answer is left out: nothing can reach its containers
  const can = (v: InstanceView) => idle(v) && !engineUnreachable(v);
  const startable = instances.filter((v) => v.dirExists && v.status !== 'running' && can(v));
  const stoppable = instances.filter((v) => (v.status === 'running' || v.status === 'partial') && can(v));
  const startAll = async () => {
    for (const v of startable) {
      const r = await app.run(`up:${v.id}`, () => api.invoke('up', v.id));
      if (r.ok) app.attachReport(`up:${v.id}`, r.value.gate);
    }
  };
  const stopAll = () => Promise.all(stoppable.map((v) => app.run(`down:${v.id}`, () => api.invoke('down', v.id))));
  if (instances.length < 2) return null;
  return (
    <div className="bulk" role="toolbar" aria-label="All instances">
      <button type="button" data-testid="start-all" disabled={!engineUp || !startable.length} onClick={() => void startAll()}>
        Start all{startable.length ? ` (${startable.length})` : ''}
      </button>
      <button type="button" data-testid="stop-all" disabled={!engineUp || !stoppable.length} onClick={() => void stopAll()}>
        Stop all{stoppable.length ? ` (${stoppable.length})` : ''}
      </button>
    </div>
  );
}
