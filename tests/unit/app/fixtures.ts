// Snapshot builders for the desktop-shell unit tests.
import type { Snapshot } from '../../../main/shared/contract';
import type { InstanceView } from '../../../main/core/views';

export function links(slot: number): InstanceView['links'] {
  return [
    { name: 'api', label: 'API docs', url: `http://localhost:${8000 + slot}/api/v1/docs` },
    { name: 'grafana', label: 'Grafana', url: `http://localhost:${3000 + slot}` },
    { name: 'jaeger', label: 'Jaeger', url: `http://localhost:${16686 + slot}` },
    { name: 'prometheus', label: 'Prometheus', url: `http://localhost:${9090 + slot}` },
  ];
}

export function view(id: string, over: Partial<InstanceView> = {}): InstanceView {
  const slot = over.slot ?? 1;
  return {
    id,
    path: `/work/ktrdr--${id}`,
    slot,
    kind: 'worktree',
    branch: id,
    createdAt: '2025-01-01T00:00:00.000Z',
    status: 'running',
    dirExists: true,
    containers: { running: 6, healthy: 6, total: 6 },
    ports: [],
    links: links(slot),
    lastGate: { passed: true, at: '2025-01-01T00:01:00.000Z', elapsedMs: 42_000, failed: [] },
    ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    engine: { state: 'up', endpoint: 'unix:///var/run/docker.sock', version: '27.0.0' },
    instances: [],
    orphans: [],
    busy: {},
    repository: '/work/ktrdr',
    problems: [],
    updatedAt: 1,
    ...over,
  };
}

export const stopped = (id: string, slot = 2): InstanceView =>
  view(id, { slot, status: 'stopped', containers: { running: 0, healthy: 0, total: 6 }, lastGate: null });

export const failingGate = (id: string, slot = 3): InstanceView =>
  view(id, {
    slot,
    lastGate: { passed: false, at: '2025-01-01T00:02:00.000Z', elapsedMs: 180_000, failed: ['backend', 'workers'] },
  });
