// Last-seen memory per instance (<home>/stats/<id>.json), the first source of the capacity estimate
// (core/capacity.ts). Written by `engines` for every registered sandbox it measured; `status` and `up` are meant
// to write it too. Best effort: a cache of measurements, so a write failure never fails the command.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LastSeenStats } from '../core/capacity';

export interface StatsStore {
  read(id: string): LastSeenStats | null;
  write(id: string, s: LastSeenStats): void;
  remove(id: string): void;
}

function valid(v: unknown): v is LastSeenStats {
  const o = v as Partial<LastSeenStats> | null;
  return (
    !!o && typeof o.at === 'string' && typeof o.engine === 'string' && typeof o.memoryBytes === 'number' && typeof o.containers === 'number'
  );
}

export function createStatsStore(home: string): StatsStore {
  const dir = join(home, 'stats');
  const file = (id: string) => join(dir, `${id}.json`);
  return {
    read(id) {
      try {
        const v: unknown = JSON.parse(readFileSync(file(id), 'utf8'));
        return valid(v) ? v : null;
      } catch {
        return null;
      }
    },
    write(id, s) {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file(id)}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
        renameSync(tmp, file(id)); // atomic: a reader sees the old or the new figure, never half
      } catch {
        // a cache: the next measurement writes it again
      }
    },
    remove(id) {
      rmSync(file(id), { force: true });
    },
  };
}
