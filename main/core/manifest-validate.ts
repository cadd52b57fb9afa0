// Validating a manifest read from a file: the schema, port collisions and ranges, gate check names and
// dependencies. Loaded on demand (loadManifest imports it only for a ktrdr-sandbox.yml), so commands in
// repositories on the preset or a derived manifest never load the schema library.
import { SandboxError } from './errors';
import { manifestSchema, type Manifest } from './manifest-schema';
import { findOutOfRange, findPortCollisions } from './ports';

export function validateManifest(raw: unknown, source: string): Manifest {
  const parsed = manifestSchema().safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SandboxError('MANIFEST_INVALID', `${source} is not a valid manifest:\n${lines.join('\n')}`, {
      hint: 'Run `ktrdr-sandbox manifest-schema` for the JSON Schema.',
    });
  }
  const m = parsed.data;
  const collisions = findPortCollisions(m);
  if (collisions.length) {
    const c = collisions[0]!;
    throw new SandboxError(
      'MANIFEST_INVALID',
      `${source}: port ${c.port} is used by slot ${c.a.slot} (${c.a.name}) and slot ${c.b.slot} (${c.b.name}); ${collisions.length} collision(s) in all`,
    );
  }
  const out = findOutOfRange(m);
  if (out.length) {
    const o = out[0]!;
    throw new SandboxError('MANIFEST_INVALID', `${source}: slot ${o.slot} puts ${o.name} on port ${o.port}, above 65535`);
  }
  const names = new Set<string>();
  for (const c of m.gate.checks) {
    if (names.has(c.name)) throw new SandboxError('MANIFEST_INVALID', `${source}: gate check "${c.name}" is defined twice`);
    names.add(c.name);
  }
  for (const c of m.gate.checks) {
    for (const d of c.dependsOn) {
      if (!names.has(d)) throw new SandboxError('MANIFEST_INVALID', `${source}: gate check "${c.name}" depends on unknown check "${d}"`);
    }
  }
  const overlay = m.shared.overlay;
  const unknownOverlay = Array.isArray(overlay) ? overlay.filter((f) => !(f in m.shared.mounts)) : [];
  if (unknownOverlay.length)
    throw new SandboxError(
      'MANIFEST_INVALID',
      `${source}: shared.overlay names "${unknownOverlay[0]}", which is not a shared folder of shared.mounts (${Object.keys(m.shared.mounts).join(', ') || 'none'})`,
    );
  const cycle = findCycle(m.gate.checks.map((c) => ({ name: c.name, deps: c.dependsOn })));
  if (cycle) throw new SandboxError('MANIFEST_INVALID', `${source}: gate checks depend on each other in a cycle: ${cycle.join(' → ')}`);
  return m;
}

/** A dependency cycle among named nodes, as a path that starts and ends with the same name, or null. */
export function findCycle(nodes: { name: string; deps: string[] }[]): string[] | null {
  const deps = new Map(nodes.map((n) => [n.name, n.deps]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of deps.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}
