// Where an instance's override lives (<home>/instances/<id>/compose.override.yml): a module of its own, so that
// the commands that only name the file (status, list) do not load the code writing it (state.ts, index.ts).
import { join } from 'node:path';

export const OVERRIDE_FILE = 'compose.override.yml';

export function instanceStateDir(home: string, id: string): string {
  return join(home, 'instances', id);
}

export function overridePath(home: string, id: string): string {
  return join(instanceStateDir(home, id), OVERRIDE_FILE);
}
