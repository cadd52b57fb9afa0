// NFS path mapping (issue 13, the homelab pattern): the source is shared with the engine's host (NFS, a
// mounted share), so nothing is synced; a path LOCAL here is REMOTE there. Pure: parsing and validating
// `--path-map LOCAL=REMOTE`, mapping a path, and the bind mounts of a compose model re-declared with the mapped
// source (the override's path-map contribution: compose merges a service's volumes by container target).
import { splitVolumeSpec } from './compose-syntax';
import { SandboxError } from './errors';
import type { ComposeModel, PathMapEntry } from '../shared/types';

const HINT = 'Give absolute paths: --path-map /home/me/src=/mnt/nfs/src (this machine=the engine host).';

/** "LOCAL=REMOTE" → its entry; both absolute, no trailing slash kept (one-line USAGE errors). */
export function parsePathMap(spec: string): PathMapEntry {
  const i = spec.indexOf('=');
  if (i <= 0 || i === spec.length - 1) throw new SandboxError('USAGE', `--path-map "${spec}" is not LOCAL=REMOTE`, { hint: HINT });
  const local = trimSlash(spec.slice(0, i));
  const remote = trimSlash(spec.slice(i + 1));
  for (const p of [local, remote])
    if (!p.startsWith('/') || p.split('/').some((part) => part === '..' || part === '.'))
      throw new SandboxError('USAGE', `--path-map "${spec}": "${p}" is not an absolute path`, { hint: HINT });
  return { local, remote };
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Is p at or under dir? */
function within(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(`${dir}/`);
}

/** p as the engine's host sees it (the longest matching LOCAL wins); undefined when no mapping covers it. */
export function mapPath(p: string, map: PathMapEntry[]): string | undefined {
  const hit = [...map].sort((a, b) => b.local.length - a.local.length).find((m) => within(p, m.local));
  if (!hit) return undefined;
  const rest = p.slice(hit.local === '/' ? 0 : hit.local.length);
  return hit.remote === '/' ? rest || '/' : `${hit.remote}${rest}`;
}

/** A short-syntax or long-syntax volume entry of a service, as written. */
export type VolumeEntry = string | Record<string, unknown>;

/** ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR from vars (compose's interpolation, enough for paths). */
export function interpolate(s: string, vars: Record<string, string | undefined>): string {
  return s.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name, op, def, bare) => {
    if (m === '$$') return '$';
    const key = (name ?? bare) as string;
    const v = vars[key];
    if (op === ':-') return v ? v : (def as string);
    if (op === '-') return v !== undefined ? v : (def as string);
    return v ?? ''; // ${VAR}, $VAR, and ${VAR:?message} / ${VAR?message} (compose refuses those unset itself)
  });
}

export function resolvePath(source: string, projectDir: string): string {
  const joined = source.startsWith('/') ? source : `${projectDir}/${source}`;
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** A bind mount's source (short syntax: a path starting with . / or ~; long: type bind); null for a named volume. */
export function bindOf(v: VolumeEntry): { source: string; target: string; rest: string[] } | null {
  if (typeof v === 'string') {
    const parts = splitVolumeSpec(v);
    if (parts.length < 2) return null; // an anonymous volume
    const [source, target, ...rest] = parts as [string, string, ...string[]];
    if (!/^[./~$]/.test(source)) return null; // a named volume
    return { source, target, rest };
  }
  if (v.type === 'bind' && typeof v.source === 'string' && typeof v.target === 'string')
    return { source: v.source, target: v.target, rest: [] };
  return null;
}

/**
 * Each service's bind mounts whose source (interpolated, relative to the project directory) lies under a LOCAL
 * of the map, re-declared with the REMOTE source and the same target and options; services with none are left out.
 */
export function mappedVolumes(
  model: Pick<ComposeModel, 'services'>,
  map: PathMapEntry[],
  vars: Record<string, string | undefined>,
  projectDir: string,
): Record<string, VolumeEntry[]> {
  const out: Record<string, VolumeEntry[]> = {};
  for (const svc of Object.values(model.services)) {
    const byTarget = new Map<string, VolumeEntry>();
    for (const v of svc.volumes ?? []) {
      const b = bindOf(v);
      if (!b) continue;
      const raw = interpolate(b.source, vars);
      const home = vars.HOME;
      const local = resolvePath(raw.startsWith('~') && home ? `${home}${raw.slice(1)}` : raw, projectDir);
      const remote = mapPath(local, map);
      const target = interpolate(b.target, vars);
      if (remote === undefined) {
        byTarget.delete(target); // a later file's unmapped bind replaces an earlier mapped one
        continue;
      }
      byTarget.set(target, typeof v === 'string' ? [remote, target, ...b.rest].join(':') : { ...v, source: remote, target });
    }
    if (byTarget.size) out[svc.name] = [...byTarget.values()];
  }
  return out;
}
