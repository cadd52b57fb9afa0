// What an evidence bundle holds (see use-cases/evidence.ts): the records written into it and its SUMMARY.md,
// the page a reader opens first — a verdict, what is unhealthy, where to look. Pure: no IO.
import { version as toolVersion } from '../version';
import type { LoadedInstance } from './resolve';
import type { ContainerInfo, GateReport } from '../shared/types';
import { provenReadyServices } from './views';

export const EVIDENCE_DIR = '.sandbox-evidence';
export const LOG_LINES = 500;

export interface ContainerEvidence {
  service: string;
  name: string;
  id: string;
  oneOff: boolean;
  state: ContainerInfo['state'] | 'absent';
  status: string;
  health: string;
  exitCode: number | null;
  restartCount: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  oomKilled: boolean | null;
  ports: ContainerInfo['ports'];
  log: string | null;
}

export interface EvidenceResult {
  instance: string;
  slot: number;
  path: string;
  /** The evidence directory and its tarball (next to it). */
  dir: string;
  tarball: string;
  /** Files in dir, relative, sorted. */
  files: string[];
  verdict: 'PASSED' | 'FAILED' | 'NO GATE';
  gateAt: string | null;
  failedChecks: string[];
  containers: { total: number; healthy: number; unhealthy: string[] };
  git: { branch: string | null; head: string | null; dirty: boolean | null };
  /** Parts that could not be collected (the rest of the bundle is still written). */
  problems: string[];
  elapsedMs: number;
}

export interface GitInfo {
  branch: string | null;
  head: string | null;
  dirty: boolean | null;
  files: string[];
  text: string;
}

/** 2025-01-31T12-03-04Z: sortable, no colons (portable file name). */
export function evidenceStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

export function summarise(o: {
  ctx: LoadedInstance;
  gate: GateReport | null;
  containers: ContainerEvidence[];
  gitInfo: GitInfo | null;
  dir: string;
  runFiles: string[];
  problems: string[];
  stamp: string;
  elapsedMs: number;
}): { text: string; verdict: EvidenceResult['verdict']; failedChecks: string[]; containers: EvidenceResult['containers'] } {
  const { ctx, gate } = o;
  const verdict: EvidenceResult['verdict'] = gate ? (gate.passed ? 'PASSED' : 'FAILED') : 'NO GATE';
  const failed = gate ? gate.checks.filter((c) => c.state === 'failed') : [];
  const own = o.containers.filter((c) => !c.oneOff);
  // a service the passed gate proved ready with its own healthcheck counts, while Docker still says `starting`
  const proven = provenReadyServices(gate);
  const isHealthy = (c: ContainerEvidence) =>
    c.state === 'running' && (c.health === 'healthy' || c.health === 'none' || (c.health === 'starting' && proven.has(c.service)));
  const unhealthy = own.filter((c) => !isHealthy(c));
  const describe = (c: ContainerEvidence) => {
    const bits = [c.state === 'running' ? c.health : c.state];
    if (c.exitCode !== null && c.state !== 'running' && c.state !== 'absent') bits.push(`exit code ${c.exitCode}`);
    if (c.oomKilled) bits.push('OOM-killed');
    if (c.restartCount) bits.push(`${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}`);
    return `${c.service} (${bits.join(', ')})`;
  };
  const logs = own.filter((c) => c.log).map((c) => c.log!.replace(/^logs\//, ''));
  const g = o.gitInfo;
  const lines: string[] = [`# Evidence: ${ctx.rec.id}`, ''];
  if (verdict === 'NO GATE') lines.push('**Verdict: NO GATE RUN** — no Startability Gate report exists for this instance.');
  else lines.push(`**Verdict: ${verdict}** — Startability Gate of ${gate!.startedAt}, ${(gate!.elapsedMs / 1000).toFixed(1)}s`);
  for (const c of failed) lines.push(`- ✗ ${c.label} (${c.name}): ${c.message.split('\n')[0]}`);
  // checks that were not run, with why (a service the compose file does not start: core/reconcile.ts)
  for (const c of gate?.checks.filter((x) => x.state === 'skipped' && x.attempts === 0) ?? [])
    lines.push(`- ○ ${c.label} (${c.name}): ${c.message.split('\n')[0]}`);
  lines.push('');
  lines.push(
    `- **Containers:** ${own.length - unhealthy.length}/${own.length} healthy${unhealthy.length ? ` — not healthy: ${unhealthy.map(describe).join('; ')}` : ''}`,
    `- **Instance:** ${ctx.rec.id} · slot ${ctx.rec.slot} · ${ctx.rec.path}`,
    `- **Git:** ${g ? `branch ${g.branch ?? '(detached)'} · HEAD ${g.head ? g.head.slice(0, 12) : '(none)'} · ${g.dirty === null ? 'state unknown' : g.dirty ? `dirty (${g.files.length} file${g.files.length === 1 ? '' : 's'})` : 'clean'}` : 'directory gone'}`,
    `- **Logs:** last ${LOG_LINES} lines per service in \`logs/\` (${logs.join(', ') || 'none'})${o.runFiles.length ? `; run outputs in \`runs/\`` : ''}`,
    `- **Collected:** ${o.stamp} in ${(o.elapsedMs / 1000).toFixed(1)}s by ktrdr-sandbox ${toolVersion} · secrets redacted`,
    '',
    '## Files',
    '- `gate.json` — last Startability Gate report, every check with its timing',
    '- `status.json` — same as `ktrdr-sandbox status --json`',
    '- `containers.json` — state, health, exit code, restarts, start/finish time per container',
    '- `compose-config.yml` — resolved compose configuration (secrets redacted)',
    '- `git.txt` — branch, HEAD, dirty files, `git diff --stat`',
    '- `versions.json` — ktrdr-sandbox, Node, engine, compose, git',
    `- \`logs/<service>.log\` — the last ${LOG_LINES} lines of every service (with timestamps)`,
  );
  if (o.problems.length) {
    lines.push('', '## Could not collect', ...o.problems.map((p) => `- ${p}`));
  }
  lines.push('');
  return {
    text: lines.join('\n'),
    verdict,
    failedChecks: failed.map((c) => c.name),
    containers: { total: own.length, healthy: own.length - unhealthy.length, unhealthy: unhealthy.map((c) => c.service) },
  };
}
