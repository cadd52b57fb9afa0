// The isolation check as a gate runner (kept out of gate.ts: one import and one line there).
import type { Engine } from './deps';
import type { Runner } from './gate-runner';
import { checkIsolation, ISOLATION_CHECK, ISOLATION_WATCH_MS } from './gate-isolation';

export function isolationRunner(engine: Engine, project: string, names: string[]): Runner {
  return {
    spec: {
      name: ISOLATION_CHECK,
      label: 'Isolated (no other stack answers to our names)',
      dependsOn: [],
      retry: true,
      services: [],
      watch: true,
    },
    intervalMs: ISOLATION_WATCH_MS,
    attempt: () => checkIsolation(engine, project, names),
  };
}
