// demo: the product shown working on a machine with no project of its own. One of the embedded examples
// (examples/<name>, plain Compose projects) becomes a throw-away git repository under the demo directory
// (a cache directory, never the user's work or cwd); two instances of it are created and brought up
// (Startability Gate) in the user's own registry, so the dashboard shows them; their ids start with
// "sandbox-demo-". `demo --clean` removes all of it: instances (containers, volumes, networks, worktrees,
// slots), any compose project left whose working directory is under the demo directory, and the directory.
import { join } from 'node:path';
import type { Deps, Files } from '../deps';
import { SandboxError } from '../errors';
import { noEvents, step, type EventSink } from '../events';
import { instances } from '../registry';
import { canonical } from '../resolve';
import type { GateReport, InstanceRecord } from '../../shared/types';
import { createInstance } from './create';
import { destroyInstance } from './destroy';
import { upInstance } from './up';
import type { InstanceDetails } from './describe';

export const DEMO_PREFIX = 'sandbox-demo-';
export const DEMO_NAMES = ['a', 'b'];
/** A file in the demo directory proving it is ours: --clean removes no directory without it. */
export const DEMO_MARKER = '.ktrdr-sandbox-demo';

/** The file system and git side of the demo (main/adapters/demo-files.ts). */
export interface DemoFiles {
  /** The demo directory (e.g. ~/.cache/ktrdr-sandbox/demo). */
  root: string;
  /** Example name → its directory. */
  examples(): Record<string, string>;
  exists(path: string): boolean;
  /** Create root with its marker when missing. */
  ensureRoot(): Promise<void>;
  /** Copy the example to dest, git init + commit it. */
  makeRepo(example: string, dest: string): Promise<void>;
  /** Remove root (only when it carries the marker); false when it was not there. */
  removeRoot(): Promise<boolean>;
}

export interface DemoResult {
  example: string;
  repo: string;
  instances: InstanceDetails[];
  gates: GateReport[];
  passed: boolean;
}

const under = (root: string, p: string) => p === root || p.startsWith(`${root}/`);

/** Registered instances living under the demo directory. */
export function demoInstances(recs: InstanceRecord[], root: string, files: Pick<Files, 'realpath'>): InstanceRecord[] {
  const r = canonical(root, files);
  return recs.filter((i) => under(r, canonical(i.path, files)) || under(r, canonical(i.repo, files)) || under(root, i.path));
}

export async function runDemo(
  deps: Deps,
  files: DemoFiles,
  opts: { example?: string; timeoutMs?: number },
  emit: EventSink = noEvents,
): Promise<DemoResult> {
  const examples = files.examples();
  const example = opts.example ?? 'webapp';
  const source = examples[example];
  if (!source) {
    throw new SandboxError('USAGE', `No example "${example}"`, { hint: `Examples: ${Object.keys(examples).join(', ')}.` });
  }
  await step(emit, undefined, 'engine', 'Docker engine reachable', () => deps.engine.ping());
  const repo = join(files.root, `${DEMO_PREFIX}${example}`);
  const registered = demoInstances(instances(await deps.registry.read()), files.root, deps.files);
  if (!files.exists(repo)) {
    if (registered.some((i) => canonical(i.repo, deps.files) === canonical(repo, deps.files) || i.repo === repo)) {
      throw new SandboxError('STATE', `The demo repository ${repo} is gone but its instances are registered`, {
        hint: 'Run `ktrdr-sandbox demo --clean` first.',
      });
    }
    await files.ensureRoot();
    await step(emit, undefined, 'demo-repo', `Demo repository ${repo} (a git copy of examples/${example})`, () =>
      files.makeRepo(example, repo),
    );
  }
  const details: InstanceDetails[] = [];
  const gates: GateReport[] = [];
  const ids: string[] = [];
  for (const name of DEMO_NAMES) {
    const id = `${DEMO_PREFIX}${example}--${name}`;
    ids.push(id);
    const reg = await deps.registry.read();
    if (!reg.instances[id]) await createInstance(deps, { name, cwd: repo }, emit);
  }
  // One after the other: the first `up` builds the example's image, the second reuses it.
  for (const id of ids) {
    const r = await upInstance(deps, { id }, { timeoutMs: opts.timeoutMs }, emit);
    details.push(r.instance);
    if (r.gate) gates.push(r.gate);
    if (r.gate && !r.gate.passed) break;
  }
  return { example, repo, instances: details, gates, passed: gates.length === ids.length && gates.every((g) => g.passed) };
}

export interface DemoCleanResult {
  destroyed: string[];
  projectsRemoved: string[];
  removedDir: boolean;
  root: string;
}

export async function cleanDemo(deps: Deps, files: DemoFiles, emit: EventSink = noEvents): Promise<DemoCleanResult> {
  await deps.engine.ping();
  const destroyed: string[] = [];
  for (const rec of demoInstances(instances(await deps.registry.read()), files.root, deps.files)) {
    await destroyInstance(deps, { id: rec.id }, { force: true }, emit);
    destroyed.push(rec.id);
  }
  // Whatever compose project is left with its working directory in the demo directory (an interrupted demo).
  const root = canonical(files.root, deps.files);
  const left = (await deps.engine.listContainers({ all: true })).filter(
    (c) => c.workingDir && (under(root, c.workingDir) || under(files.root, c.workingDir)),
  );
  const projects = [...new Set(left.map((c) => c.project))];
  for (const p of projects)
    await step(emit, p, 'orphan', `Leftover demo project "${p}" removed`, () => deps.engine.removeProjectResources(p));
  const removedDir = await files.removeRoot();
  if (removedDir) emit({ type: 'step', id: 'demo-dir', label: `Demo directory removed: ${files.root}`, state: 'passed' });
  return { destroyed, projectsRemoved: projects, removedDir, root: files.root };
}
