// The engines port (core/engines.ts EnginesPort): docker contexts from the file system, the probe of one engine,
// the last-seen stats of an instance and its compose files as YAML. Cheap to create: nothing is read until asked.
import { promises as fsp } from 'node:fs'; // fs/promises loaded on first use, not at start-up
import type { EnginesPort } from '../core/engines';
import { engineTargetsFromSystem } from './docker-contexts';
import { createStatsStore } from './stats-store';

export function createEnginesPort(env: NodeJS.ProcessEnv, home: string): EnginesPort {
  const stats = createStatsStore(home);
  return {
    targets: () => engineTargetsFromSystem(env),
    probe: async (target, opts) => (await import('./engine-probe')).createEngineProbe(env, home)(target, opts),
    listContainers: async (target, opts) => (await import('./engine-probe')).createContainerLister(env, home)(target, opts),
    lastSeen: (id) => stats.read(id),
    remember: (id, s) => stats.write(id, s),
    async composeDocs(paths) {
      const { parse } = await import('yaml');
      return Promise.all(paths.map(async (p) => parse(await fsp.readFile(p, 'utf8'), { merge: true }) as unknown));
    },
  };
}
