// Last gate report per instance, kept beside the registry (one small file each, written atomically).
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateStore } from '../core/deps';
import type { GateReport } from '../shared/types';

export function createGateStore(home: string): GateStore {
  const dir = join(home, 'gates');
  const file = (id: string) => join(dir, `${id}.json`);
  return {
    async read(id) {
      try {
        return JSON.parse(readFileSync(file(id), 'utf8')) as GateReport; // small: see adapters/files.ts
      } catch {
        return null;
      }
    },
    async write(report) {
      await fsp.mkdir(dir, { recursive: true });
      const { default: writeFileAtomic } = await import('write-file-atomic'); // only writers pay for it
      await writeFileAtomic(file(report.instance), `${JSON.stringify(report, null, 2)}\n`);
    },
    async remove(id) {
      await fsp.rm(file(id), { force: true });
    },
  };
}
