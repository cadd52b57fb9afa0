// The shared data overlay's test stack (integration and e2e): a repository holding one service that sleeps and
// binds the shared data folder as KTRDR's file does (${KTRDR_DATA_DIR:-./data}), a manifest naming that folder in
// shared.mounts (and shared.overlay when asked), and a shared folder holding one file; a shell in the service.
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, makeWorld, serviceContainer, type World } from './world';

const COMPOSE = `services:
  app:
    image: debian:bookworm-slim
    command: ["sleep", "infinity"]
    init: true
    volumes:
      - \${KTRDR_DATA_DIR:-./data}:/data
`;

const manifest = (overlay?: string) => `version: 1
compose: { files: [compose.yml] }
ports: []
gate: { timeout: 60, checks: [], containers: { gate: [app] } }
shared:
  mounts: { data: KTRDR_DATA_DIR }
${overlay ? `  overlay: ${overlay}\n` : ''}`;

export interface SharedStack {
  w: World;
  /** The shared data folder on this machine (holds existing.txt: "original"). */
  shared: string;
  /** Its files and their contents. */
  hostShared(): Promise<Record<string, string>>;
}

/** The world of a shared-data test: the repository replaced by the one-service stack, committed. */
export async function sharedStack(name: string, opts: { overlay?: string } = {}): Promise<SharedStack> {
  const w = await makeWorld(name);
  for (const e of await readdir(w.repo)) if (e !== '.git') await rm(join(w.repo, e), { recursive: true, force: true });
  await writeFile(join(w.repo, 'compose.yml'), COMPOSE);
  await writeFile(join(w.repo, 'ktrdr-sandbox.yml'), manifest(opts.overlay));
  await git(w.repo, 'add', '-A');
  await git(w.repo, 'commit', '-q', '-m', 'shared data stack');
  const shared = join(w.home, '.ktrdr', 'shared', 'data');
  await mkdir(shared, { recursive: true });
  await writeFile(join(shared, 'existing.txt'), 'original\n');
  return {
    w,
    shared,
    async hostShared() {
      const out: Record<string, string> = {};
      for (const f of await readdir(shared)) out[f] = await readFile(join(shared, f), 'utf8');
      return out;
    },
  };
}

/** A shell command in the instance's app container: its exit code and output (throws when none runs). */
export async function shInApp(id: string, script: string): Promise<{ code: number; out: string }> {
  const cid = await serviceContainer(id, 'app');
  if (!cid) throw new Error(`no running app container of ${id}`);
  const r = await execa('docker', ['exec', cid, 'sh', '-c', script], { reject: false });
  return { code: r.exitCode ?? -1, out: String(r.stdout).trim() };
}
