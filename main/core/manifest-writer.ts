// The derived manifest written out as a commented ktrdr-sandbox.yml for the user to refine (`manifest init`,
// `init --write-manifest`). Pure. Values are JSON (which is YAML), one flow mapping per entry, so what is
// read back validates to exactly the manifest that was derived (a unit test round-trips it).
import type { DerivedFor } from './manifest';
import type { Manifest } from './manifest-schema';
import { MAX_SLOT } from '../shared/types';

/** YAML flow style: { key: value, … } and [a, b], strings JSON-quoted (JSON strings are YAML strings). */
export function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return entries.length
      ? `{ ${entries.map(([k, x]) => `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)}: ${flow(x)}`).join(', ')} }`
      : '{}';
  }
  return JSON.stringify(v);
}
const j = flow;

export function renderManifestYaml(d: Pick<DerivedFor, 'manifest' | 'ports' | 'notes' | 'found'>): string {
  const m: Manifest = d.manifest;
  const L: string[] = [];
  L.push(`# ktrdr-sandbox.yml — derived from ${d.found.files.join(' + ')} by \`ktrdr-sandbox manifest init\`.`);
  L.push('# Refine it freely: while this file exists it replaces zero configuration (the derivation). Every key is');
  L.push('# described by the JSON Schema `ktrdr-sandbox manifest-schema` prints (README: "Project manifest").');
  L.push('version: 1');
  L.push('compose:');
  L.push(`  files: ${j(m.compose.files)}${d.found.via === 'COMPOSE_FILE' ? '  # from COMPOSE_FILE' : ''}`);
  L.push('');
  L.push(`# The slot map: slot 0 = slot0, slot N (1–${MAX_SLOT}) = base + step·N, written to .env.sandbox for compose to`);
  L.push(`# substitute. Strides keep every port of slots 0–${MAX_SLOT} distinct: \`ktrdr-sandbox ports --check\` proves it.`);
  if (!m.ports.length) L.push('ports: []');
  else {
    L.push('ports:');
    for (const p of d.ports) L.push(`  - ${j(p.spec)}  # ${p.service}: container port ${p.target}${p.http ? ' (HTTP)' : ''}`);
  }
  if (d.notes.length) {
    L.push('# Not in the slot map (fix them in the compose file, then derive again or add them above):');
    for (const n of d.notes) L.push(`#   ${n.rewrite ? `${n.service}: "${n.rewrite.from}" → "${n.rewrite.to}"` : n.message}`);
  }
  L.push('');
  L.push('# Links shown by `list`/`status`/the dashboard: the published ports that look like HTTP.');
  L.push(m.links.length ? 'links:' : 'links: []');
  for (const l of m.links) L.push(`  - ${j(l)}`);
  L.push('');
  L.push('# The Startability Gate: all checks concurrently under one deadline (seconds).');
  L.push('gate:');
  L.push(`  timeout: ${m.gate.timeout}`);
  L.push(`  interval: ${m.gate.interval}`);
  L.push('  # One probe per published port of a service without a healthcheck: HTTP when the port looks like HTTP, else TCP.');
  L.push(m.gate.checks.length ? '  checks:' : '  checks: []');
  for (const c of m.gate.checks) L.push(`    - ${j(c)}`);
  L.push('  # Services that must be running, and healthy when they have a compose healthcheck; others are reported only.');
  L.push('  containers:');
  if (m.gate.containers.gate) L.push(`    gate: ${j(m.gate.containers.gate)}`);
  L.push(`    ignore: ${j(m.gate.containers.ignore)}`);
  L.push('');
  L.push('# Per-instance generated secrets (e.g. [DB_PASSWORD]) and shared data folders: none derived.');
  L.push('secrets:');
  L.push(`  generate: ${j(m.secrets.generate)}`);
  L.push('shared:');
  L.push(`  mounts: ${j(m.shared.mounts)}`);
  return `${L.join('\n')}\n`;
}
