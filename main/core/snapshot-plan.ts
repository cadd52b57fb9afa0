// Pure planning for snapshots: names, compatibility, which Docker volumes and services a snapshot touches.
import { basename } from 'node:path';
import { splitVolumeSpec } from './compose-syntax';
import { SandboxError } from './errors';
import type { SnapshotMeta } from '../shared/snapshot-types';

/** Grace period for a clean stop before a copy of a volume (a database flushing a checkpoint can take a while). */
export const STOP_TIMEOUT_S = 120;

const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A snapshot name becomes a directory name under the sandbox home: no separators, no "..", no leading dot. */
export function validateSnapshotName(name: string): string {
  if (typeof name !== 'string' || !SNAPSHOT_NAME.test(name) || name.includes('..')) {
    throw new SandboxError('USAGE', `Invalid snapshot name "${String(name)}"`, {
      hint: 'Use 1-63 letters, digits, ".", "_" and "-", starting with a letter or digit (no "/" or "..").',
    });
  }
  return name;
}

/** sha256 over the compose files' content, in manifest order, with their base names. */
export function composeHash(files: { path: string; text: string }[]): string {
  const { createHash } = process.getBuiltinModule('node:crypto'); // loaded only when hashing
  const h = createHash('sha256');
  for (const f of files) h.update(`${basename(f.path)}\0${f.text}\0`);
  return `sha256:${h.digest('hex')}`;
}

export interface Compatibility {
  composeHash: string;
  /** The target's migration head when known (a running database), else null: not compared. */
  migrationHead: string | null;
}

/** Why the snapshot does not fit the target (empty: it fits). */
export function incompatibilities(meta: SnapshotMeta, target: Compatibility): string[] {
  const reasons: string[] = [];
  if (meta.composeHash !== target.composeHash) {
    reasons.push(
      `compose files differ: the snapshot was taken with ${meta.composeHash.slice(0, 19)}…, this instance has ${target.composeHash.slice(0, 19)}…`,
    );
  }
  if (meta.migrationHead && target.migrationHead && meta.migrationHead !== target.migrationHead) {
    reasons.push(`migration head differs: snapshot "${meta.migrationHead}", this instance's database "${target.migrationHead}"`);
  }
  return reasons;
}

export function incompatibleError(name: string, reasons: string[]): SandboxError {
  return new SandboxError('STATE', `Snapshot "${name}" does not match this instance:\n  ${reasons.join('\n  ')}`, {
    hint: 'Take a new snapshot from an instance of this code, or pass --force to restore it anyway.',
    details: { reasons },
  });
}

/** Compose v1 normalises project names ([^-_a-z0-9] dropped); v2 keeps ids that are already valid. */
export function composeProjectName(id: string): string {
  return id.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface VolumePlan {
  key: string;
  /** The Docker volume name of this instance (`name:` in compose, else <project>_<key>). */
  name: string;
  /** Services mounting it (stopped during a copy). */
  services: string[];
  /** The image of the first of those services, when compose names one. */
  image: string | null;
}

/** The named volumes a compose document declares for itself (external ones are shared, not the instance's). */
export function ownVolumeKeys(doc: unknown): string[] {
  const volumes = isObj(doc) && isObj(doc.volumes) ? doc.volumes : {};
  return Object.entries(volumes)
    .filter(([, def]) => !(isObj(def) && def.external))
    .map(([key]) => key);
}

/** Where the named volume keys live for one instance, from the resolved (merged, interpolated) compose document. */
export function planVolumes(doc: unknown, project: string, keys: string[]): VolumePlan[] {
  const d = isObj(doc) ? doc : {};
  const volumes = isObj(d.volumes) ? d.volumes : {};
  const services = isObj(d.services) ? d.services : {};
  return keys.map((key) => {
    if (!(key in volumes)) {
      throw new SandboxError('USAGE', `The compose files declare no named volume "${key}"`, {
        hint: `Declared volumes: ${Object.keys(volumes).join(', ') || 'none'} (manifest snapshot.volumes, or --volumes).`,
      });
    }
    const def = volumes[key];
    if (isObj(def) && def.external) {
      throw new SandboxError('USAGE', `Volume "${key}" is external: it is shared, not the instance's own, so it is not snapshotted`);
    }
    const name = isObj(def) && typeof def.name === 'string' && def.name ? def.name : `${composeProjectName(project)}_${key}`;
    const users = Object.entries(services)
      .filter(([, svc]) => isObj(svc) && Array.isArray(svc.volumes) && svc.volumes.some((v) => mountSource(v) === key))
      .map(([svc]) => svc);
    const first = users[0] ? services[users[0]] : undefined;
    const image = isObj(first) && typeof first.image === 'string' ? first.image : null;
    return { key, name, services: users, image };
  });
}

/** The source of a service volume entry (short "src:dst[:mode]" or long {source}). */
function mountSource(v: unknown): string | null {
  if (typeof v === 'string') {
    const parts = splitVolumeSpec(v);
    return parts.length >= 2 ? parts[0]! : null;
  }
  if (isObj(v) && (v.type === undefined || v.type === 'volume') && typeof v.source === 'string') return v.source;
  return null;
}

/** "1.2 GB" style sizes for humans. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
