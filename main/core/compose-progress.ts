// compose's own progress, read from its output lines (v1 "Creating p_db_1 ... done", v2 " Container p-db-1
// Started", image builds), turned into timed sub-steps of one step ("compose-up"): what is being built,
// created, started or waited for, and for how long. Pure except for the injected clock.
import type { EventSink, StepState } from './events';

export interface ComposeLine {
  /** Sub-step key (one per service / network / build). */
  key: string;
  label: string;
  state: 'running' | 'passed' | 'failed';
}

/** "ktrdr--x_backend_1" / "ktrdr--x-backend-1" → "backend" (v1 lowercases and drops "." from the project). */
export function serviceOfContainer(name: string, project: string): string {
  const v1 = project
    .toLowerCase()
    .replace(/[^-_a-z0-9]/g, '')
    .replace(/^[-_]+/, '');
  for (const p of [project, v1]) {
    for (const sep of ['_', '-']) {
      if (name.startsWith(`${p}${sep}`)) return name.slice(p.length + 1).replace(/[-_]\d+$/, '');
    }
  }
  return name.replace(/[-_]\d+$/, '');
}

const V2_DONE = new Set(['started', 'healthy', 'running', 'created', 'recreated', 'stopped', 'removed', 'exited', 'built', 'pulled']);

/** One compose output line → the sub-step it reports, or null (anything else is only `--verbose` output). */
export function parseComposeLine(raw: string, project: string): ComposeLine | null {
  const line = raw.replace(/\r/g, '').trim();
  let m = /^(Creating|Starting|Recreating|Pulling|Building)\s+(network|volume)?\s*"?([^"\s]+)"?\s*(?:\.\.\.\s*(done|error)?)?/i.exec(line);
  if (m && (m[4] !== undefined || /\.\.\./.test(line))) {
    const [, verb, kind, name, result] = m;
    if (kind) return { key: `${kind}:${name}`, label: `${verb} ${kind} ${name}`, state: 'passed' };
    const service = serviceOfContainer(name!, project);
    return {
      key: `svc:${service}`,
      label: `${verb} ${service}`,
      state: result === 'error' ? 'failed' : result === 'done' ? 'passed' : 'running',
    };
  }
  m = /^Creating (network|volume) "([^"]+)"/i.exec(line);
  if (m) return { key: `${m[1]}:${m[2]}`, label: `Creating ${m[1]} ${m[2]}`, state: 'passed' };
  m = /^Building (\S+)$/.exec(line);
  if (m) return { key: `build:${m[1]}`, label: `Building image of ${m[1]}`, state: 'running' };
  m = /^Step (\d+\/\d+) : (.*)$/.exec(line);
  if (m) return { key: 'build:*', label: `build step ${m[1]}: ${m[2]!.slice(0, 60)}`, state: 'running' };
  m = /^(?:Container|Network|Volume) (\S+)\s+(\w+)$/.exec(line);
  if (m) {
    const kind = line.split(' ')[0]!.toLowerCase();
    const verb = m[2]!;
    if (kind !== 'container')
      return { key: `${kind}:${m[1]}`, label: `${verb} ${kind} ${m[1]}`, state: V2_DONE.has(verb.toLowerCase()) ? 'passed' : 'running' };
    const service = serviceOfContainer(m[1]!, project);
    if (/^waiting$/i.test(verb)) return { key: `wait:${service}`, label: `Waiting for ${service}`, state: 'running' };
    if (/^healthy$/i.test(verb)) return { key: `wait:${service}`, label: `Waiting for ${service}: healthy`, state: 'passed' };
    if (/^error$/i.test(verb)) return { key: `svc:${service}`, label: `${service} failed`, state: 'failed' };
    const done = /^(started|running|recreated)$/i.test(verb);
    return { key: `svc:${service}`, label: `${verb} ${service}`, state: done ? 'passed' : 'running' };
  }
  m = /^#\d+ \[(\S+) (\d+\/\d+)\] (.*)$/.exec(line);
  if (m) return { key: `build:${m[1]}`, label: `Building ${m[1]}: step ${m[2]} ${m[3]!.slice(0, 50)}`, state: 'running' };
  return null;
}

/** Feed compose's lines; emits sub-step events (state changes only) under `parent`, timed by `now`. */
export function composeProgress(instance: string, parent: string, emit: EventSink, now: () => number) {
  const started = new Map<string, number>();
  const current = new Map<string, { label: string; state: StepState }>();
  let build: string | null = null;
  const send = (key: string, label: string, state: 'running' | 'passed' | 'failed') => {
    const prev = current.get(key);
    if (prev && prev.state === state && prev.label === label) return;
    if (!started.has(key) || (prev && prev.state !== 'running' && state === 'running')) started.set(key, now());
    current.set(key, { label, state });
    const e: Parameters<EventSink>[0] = { type: 'step', instance, id: `${parent}:${key}`, label, state, parent };
    if (state !== 'running') e.elapsedMs = now() - started.get(key)!;
    emit(e);
  };
  return {
    line(raw: string) {
      const p = parseComposeLine(raw, instance);
      if (!p) return;
      if (p.key.startsWith('build:') && p.key !== 'build:*') build = p.key;
      if (p.key === 'build:*') {
        if (!build) return;
        send(build, `${current.get(build)?.label.split(' — ')[0] ?? 'Building'} — ${p.label}`, 'running');
        return;
      }
      // the next service being created means the build before it finished
      if (build && p.key.startsWith('svc:')) {
        send(build, current.get(build)!.label.split(' — ')[0]!, 'passed');
        build = null;
      }
      send(p.key, p.label, p.state);
    },
    /** compose ended: what still runs ended with it. */
    end(ok: boolean) {
      for (const [key, c] of current) if (c.state === 'running') send(key, c.label, ok ? 'passed' : 'failed');
    },
  };
}
