// What deleting an instance's directory would lose, from `git status --porcelain --ignored` lines: tracked
// changes, untracked files AND ignored files — minus what the product itself wrote there and what is
// disposable (dependency folders and caches a build recreates; the manifest's `destroy.disposable` adds or,
// with a leading "!", removes patterns). Pure: the git adapter supplies the lines.
import { ENV_FILE } from './envfile';

/** Files and folders the product writes inside an instance directory (never the user's work). */
export const PRODUCT_PATHS = [ENV_FILE, `${ENV_FILE}.bak`, '.sandbox-evidence/'] as const;

/** Recreated by a build or an install, so lost for free (README: "What destroy keeps"). */
export const DEFAULT_DISPOSABLE = [
  'node_modules',
  '__pycache__',
  '*.pyc',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.hypothesis',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  '*.egg-info',
  '.coverage',
  'htmlcov',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '.eslintcache',
  '.DS_Store',
  'dist',
] as const;

/** The defaults plus the manifest's patterns; "!pattern" removes a pattern (e.g. "!dist" when dist holds work). */
export function disposablePatterns(manifest: string[] = []): string[] {
  const out = new Set<string>(DEFAULT_DISPOSABLE);
  for (const p of manifest) {
    if (p.startsWith('!')) out.delete(p.slice(1));
    else if (p) out.add(p);
  }
  return [...out];
}

export type RiskKind = 'changed' | 'untracked' | 'ignored';

export interface RiskFile {
  kind: RiskKind;
  /** Relative to the instance directory; a trailing "/" is a whole folder. */
  path: string;
}

export interface RiskSummary {
  /** Would be lost: the reason to refuse without --force. */
  atRisk: RiskFile[];
  /** Not counted: product files and disposable folders (shown as "removed as disposable"). */
  disposable: string[];
}

/** One porcelain v1 line → kind and path (renames: the new path; C-quoted paths unquoted). */
export function parsePorcelainLine(line: string): RiskFile | null {
  if (line.length < 4) return null;
  const code = line.slice(0, 2);
  let path = line.slice(3);
  const arrow = path.indexOf(' -> ');
  if ((code[0] === 'R' || code[0] === 'C') && arrow >= 0) path = path.slice(arrow + 4);
  path = unquote(path);
  const kind: RiskKind = code === '??' ? 'untracked' : code === '!!' ? 'ignored' : 'changed';
  return { kind, path };
}

function unquote(p: string): string {
  if (!(p.startsWith('"') && p.endsWith('"') && p.length >= 2)) return p;
  const body = p.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = body[i + 1] ?? '';
    if (/[0-7]/.test(n)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Glob match of one pattern against a path: "*" and "?" within a segment, "**" across segments. */
export function globMatch(pattern: string, path: string): boolean {
  const pat = pattern.replace(/\/+$/, '');
  const p = path.replace(/\/+$/, '');
  if (!pat.includes('/')) return p.split('/').some((seg) => segmentRegex(pat).test(seg));
  return pathRegex(pat.replace(/^\//, '')).test(p) || pathRegex(`${pat.replace(/^\//, '')}/**`).test(p);
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function segmentRegex(pat: string): RegExp {
  return new RegExp(`^${escape(pat).replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

function pathRegex(pat: string): RegExp {
  const src = pat
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : escape(seg).replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/');
  return new RegExp(`^${src.replace(/\.\*\//g, '(?:.*/)?')}$`);
}

export function isProductPath(path: string): boolean {
  return PRODUCT_PATHS.some((pp) => (pp.endsWith('/') ? path === pp || path === pp.slice(0, -1) || path.startsWith(pp) : path === pp));
}

/** Deleted in the work tree, in the index, or both — with the index otherwise as committed. */
const PURE_DELETION = new Set([' D', 'D ', 'DD']);

/** Sort porcelain lines into what would be lost and what is not counted. Tracked changes are never disposable. */
export function classifyRisk(lines: string[], disposable: string[]): RiskSummary {
  const atRisk: RiskFile[] = [];
  const free: string[] = [];
  for (const line of lines) {
    const f = parsePorcelainLine(line);
    if (!f) continue;
    if (isProductPath(f.path)) continue;
    // a deleted tracked file loses nothing (its content is committed) — nor does a half-removed worktree
    if (PURE_DELETION.has(line.slice(0, 2))) continue;
    if (f.kind !== 'changed' && disposable.some((d) => globMatch(d, f.path))) {
      free.push(f.path);
      continue;
    }
    atRisk.push(f);
  }
  return { atRisk, disposable: free };
}

/** "secrets.local (ignored), notes.txt (untracked), app.py (changed)" — at most `max` names. */
export function describeRiskFiles(files: RiskFile[], max = 8): string {
  const shown = files.slice(0, max).map((f) => `${f.path} (${f.kind})`);
  return `${shown.join(', ')}${files.length > max ? `, … ${files.length - max} more` : ''}`;
}
