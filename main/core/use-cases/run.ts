// run: a one-off container of a compose service on the instance's network (compose run --rm), so E2E tests
// reach `backend:8000` by DNS. Services behind a compose profile work too. The exit code passes through.
import { join } from 'node:path';
import type { Deps, Files } from '../deps';
import { noEvents, type EventSink } from '../events';
import { onInstanceEngine } from '../instance-context';
import { composeModelOf, loadInstance, requireDir, secretTarget, type InstanceRef } from '../resolve';
import { SandboxError } from '../errors';

export async function runService(
  baseDeps: Deps,
  ref: InstanceRef,
  service: string,
  cmd: string[],
  opts: { inheritStdio?: boolean; onOutput?: (chunk: string) => void } = {},
  emit: EventSink = noEvents,
): Promise<{ id: string; exitCode: number; output: string }> {
  const { rec, deps } = await onInstanceEngine(baseDeps, ref); // compose run on the instance's engine
  requireDir(rec, deps.files);
  const ctx = await loadInstance(deps, rec);
  const model = await composeModelOf(ctx, deps);
  if (!model.services[service]) {
    throw new SandboxError('USAGE', `No service "${service}" in ${ctx.manifest.compose.files.join(', ')}`, {
      hint: `Services: ${Object.keys(model.services).sort().join(', ')}`,
    });
  }
  await deps.engine.ping();
  emit({
    type: 'step',
    instance: rec.id,
    id: 'run',
    label: `compose run --rm ${service}${cmd.length ? ` ${cmd.join(' ')}` : ''}`,
    state: 'info',
  });
  const startedAt = new Date(deps.clock.now()).toISOString();
  const res = await deps.compose.run(await secretTarget(deps, ctx), service, cmd, opts);
  try {
    saveRunLog(deps.files, deps.home, rec.id, { service, cmd, startedAt, exitCode: res.exitCode, output: res.output });
  } catch {
    // best effort: only `evidence` reads it
  }
  return { id: rec.id, ...res };
}

export function runLogPath(home: string, id: string): string {
  return join(home, 'runs', `${id}.log`);
}

/** The last `run` of an instance (output included when it was captured), for `evidence`. */
function saveRunLog(
  files: Files,
  home: string,
  id: string,
  r: { service: string; cmd: string[]; startedAt: string; exitCode: number; output: string },
): void {
  files.mkdir(join(home, 'runs'));
  const header = [
    `# ktrdr-sandbox run ${r.service} ${r.cmd.join(' ')}`.trim(),
    `# started ${r.startedAt}`,
    `# exit code ${r.exitCode}`,
    '',
  ];
  files.write(runLogPath(home, id), `${header.join('\n')}${r.output || '(output went to a terminal and was not captured)'}\n`);
}
