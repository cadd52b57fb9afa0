// ktrdr-sandbox: the command-line surface. Parses arguments, calls the core, renders. Nothing else.
// Commands are loaded on demand (the way changesets and pnpm do it): the first word of the command line picks
// the one module registering it, so `env` never loads the code (nor the libraries) of `up` or `evidence`.
// Anything else — no command, `help`, `--help`, a misspelt name — registers every command, so help lists them
// all and the parser can suggest the closest one.
import type { Command } from './args/command';
import { createProgram, runProgram } from './program';
import { createRuntime, type Runtime } from './runtime';

type Register = (program: Command, rt: Runtime) => void;

/** One loader per command module; the names and aliases each registers at the top level. */
const MODULES: Array<[names: string[], load: () => Promise<Register>]> = [
  [['create', 'init', 'up', 'gate', 'down', 'destroy'], async () => (await import('./commands/lifecycle')).registerLifecycle],
  [['list', 'ls'], async () => (await import('./commands/list')).registerList],
  [['status'], async () => (await import('./commands/status')).registerStatus],
  [['ports', 'prune', 'manifest-schema'], async () => (await import('./commands/inspect')).registerInspect],
  [['dashboard'], async () => (await import('./commands/dashboard')).registerDashboard],
  [['exec', 'env', 'url', 'open'], async () => (await import('./commands/env')).registerEnv],
  [['logs', 'run', 'slots', 'slot'], async () => (await import('./commands/agent')).registerAgent],
  [['evidence'], async () => (await import('./commands/evidence')).registerEvidence],
  [['shared'], async () => (await import('./commands/shared')).registerShared],
  [['doctor'], async () => (await import('./commands/doctor')).registerDoctor],
  [['manifest'], async () => (await import('./commands/manifest')).registerManifest],
  [['demo'], async () => (await import('./commands/demo')).registerDemo],
  [['engines'], async () => (await import('./commands/engines')).registerEngines],
  [['move'], async () => (await import('./commands/placement')).registerPlacement],
  [['snapshot', 'reset'], async () => (await import('./commands/snapshot')).registerSnapshot],
  [['sync'], async () => (await import('./commands/sync')).registerSync],
];

/** The loaders for argv's command: its own module when the first word names one, else all of them. */
export function loadersFor(argv: string[]): Array<() => Promise<Register>> {
  const first = argv[2];
  if (first === '--version' || first === '-V') return [];
  const own = first === undefined || first.startsWith('-') ? undefined : MODULES.find(([names]) => names.includes(first));
  return own ? [own[1]] : MODULES.map(([, load]) => load);
}

export async function buildProgram(argv: string[]): Promise<Command> {
  const rt = createRuntime();
  const program = createProgram();
  for (const register of await Promise.all(loadersFor(argv).map((load) => load()))) register(program, rt);
  return program;
}

void buildProgram(process.argv).then((program) => runProgram(program, process.argv));
