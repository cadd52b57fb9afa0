import { engineUnreachable, type InstanceView } from '../../../main/shared/views';
import { busyLabel } from '../format';

export function StatusBadge({ view, busy, engineUp }: { view: InstanceView; busy?: string; engineUp: boolean }) {
  let label: string;
  let tone: string;
  if (busy) {
    label = busyLabel(busy);
    tone = 'busy';
  } else if (!engineUp || engineUnreachable(view)) {
    // no engine answering, or not its own (the note under its actions says why): its containers are not seen
    label = 'unknown';
    tone = 'unknown';
  } else if (view.status === 'partial') {
    label = `partial ${view.containers.running}/${view.containers.total}`;
    tone = 'partial';
  } else if (view.status === 'missing') {
    label = 'missing dir';
    tone = 'missing';
  } else {
    label = view.status;
    tone = view.status;
  }
  return (
    <span className={`badge badge-${tone}`} data-testid="status-badge" data-status={view.status} data-busy={busy ?? ''}>
      {tone === 'busy' && <span className="spinner" aria-hidden="true" />}
      {label}
    </span>
  );
}
