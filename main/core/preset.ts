// The built-in KTRDR preset: used when a repository has no ktrdr-sandbox.yml. Written out whole — every
// default filled in, as the schema would — so that using it never builds the zod schema (~20 ms at start-up);
// a unit test proves the schema accepts it unchanged.
import type { Manifest } from './manifest-schema';

const API = 'http://127.0.0.1:${KTRDR_API_PORT}';

export const ktrdrPreset: Manifest = {
  version: 1,
  compose: { files: ['docker-compose.sandbox.yml'] },
  ports: [
    { name: 'api', env: 'KTRDR_API_PORT', slot0: 8000, base: 8000, step: 1, service: 'backend' },
    { name: 'db', env: 'KTRDR_DB_PORT', slot0: 5432, base: 5432, step: 1, service: 'db' },
    { name: 'grafana', env: 'KTRDR_GRAFANA_PORT', slot0: 3000, base: 3000, step: 1, service: 'grafana' },
    { name: 'jaeger', env: 'KTRDR_JAEGER_UI_PORT', slot0: 16686, base: 16686, step: 1, service: 'jaeger' },
    { name: 'prometheus', env: 'KTRDR_PROMETHEUS_PORT', slot0: 9090, base: 9090, step: 1, service: 'prometheus' },
    { name: 'otlp-grpc', env: 'KTRDR_JAEGER_OTLP_GRPC_PORT', slot0: 4317, base: 4317, step: 10, service: 'jaeger' },
    { name: 'otlp-http', env: 'KTRDR_JAEGER_OTLP_HTTP_PORT', slot0: 4318, base: 4318, step: 10, service: 'jaeger' },
    { name: 'worker-1', env: 'KTRDR_WORKER_PORT_1', slot0: 5003, base: 5000, step: 10, service: 'backtest-worker-1' },
    { name: 'worker-2', env: 'KTRDR_WORKER_PORT_2', slot0: 5004, base: 5001, step: 10, service: 'backtest-worker-2' },
    { name: 'worker-3', env: 'KTRDR_WORKER_PORT_3', slot0: 5005, base: 5002, step: 10, service: 'training-worker-1' },
    { name: 'worker-4', env: 'KTRDR_WORKER_PORT_4', slot0: 5006, base: 5003, step: 10, service: 'training-worker-2' },
    { name: 'design-agent', env: 'KTRDR_DESIGN_AGENT_PORT', slot0: 5007, base: 5004, step: 10 },
    { name: 'assessment-agent', env: 'KTRDR_ASSESSMENT_AGENT_PORT', slot0: 5008, base: 5005, step: 10 },
  ],
  links: [
    { name: 'api', label: 'API docs', url: 'http://localhost:${KTRDR_API_PORT}/api/v1/docs' },
    { name: 'grafana', label: 'Grafana', url: 'http://localhost:${KTRDR_GRAFANA_PORT}' },
    { name: 'jaeger', label: 'Jaeger', url: 'http://localhost:${KTRDR_JAEGER_UI_PORT}' },
    { name: 'prometheus', label: 'Prometheus', url: 'http://localhost:${KTRDR_PROMETHEUS_PORT}' },
  ],
  gate: {
    timeout: 180,
    interval: 0.25,
    checks: [
      {
        name: 'database',
        label: 'Database ready',
        exec: { service: 'db', command: ['pg_isready', '-h', '127.0.0.1', '-U', 'ktrdr', '-d', 'ktrdr'] },
        retry: true,
        dependsOn: [],
      },
      {
        name: 'migrations',
        label: 'Migrations applied',
        exec: { service: 'backend', command: ['alembic', 'upgrade', 'head'] },
        retry: false,
        dependsOn: ['database'],
        timeout: 120,
      },
      {
        name: 'backend',
        label: 'Backend healthy',
        http: { url: `${API}/api/v1/health`, status: [200] },
        service: 'backend',
        dependsOn: [],
      },
      {
        name: 'workers',
        label: 'Workers registered',
        http: { url: `${API}/api/v1/workers`, status: [200], minItems: 4, itemsKey: 'workers' },
        service: 'backend',
        dependsOn: ['backend'],
      },
      {
        name: 'grafana',
        label: 'Grafana ready',
        http: { url: 'http://127.0.0.1:${KTRDR_GRAFANA_PORT}/api/health', status: [200] },
        service: 'grafana',
        dependsOn: [],
      },
      {
        name: 'jaeger',
        label: 'Jaeger ready',
        http: { url: 'http://127.0.0.1:${KTRDR_JAEGER_UI_PORT}/', status: [200] },
        service: 'jaeger',
        dependsOn: [],
      },
      {
        name: 'prometheus',
        label: 'Prometheus ready',
        http: { url: 'http://127.0.0.1:${KTRDR_PROMETHEUS_PORT}/-/ready', status: [200] },
        service: 'prometheus',
        dependsOn: [],
      },
    ],
    containers: { ignore: [] },
  },
  secrets: { generate: ['KTRDR_DB_PASSWORD'] },
  shared: { mounts: { data: 'KTRDR_DATA_DIR', models: 'KTRDR_MODELS_DIR', strategies: 'KTRDR_STRATEGIES_DIR' } },
  // The database volume; the migration head is what alembic reports (no seed step: KTRDR seeds nothing yet).
  snapshot: {
    volumes: ['postgres_data'],
    postgres: ['postgres_data'],
    migrationHead: { service: 'backend', command: ['alembic', 'current'] },
  },
};
