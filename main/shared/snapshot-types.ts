// Snapshot data shared by the core, the adapters and every surface (the renderer imports it through the
// contract): pure data, no Node imports.

/** One captured volume of a snapshot. */
export interface SnapshotVolume {
  /** The compose volume key (e.g. postgres_data): what it is restored into in another instance. */
  key: string;
  /** The Docker volume it was copied from. */
  source: string;
  /** Archive file inside the snapshot directory: postgres_data.tar, or postgres_data.tar.gz when compressed. */
  file: string;
  /** Bytes of the uncompressed tar stream (≈ the volume's content). */
  bytes: number;
  /** Bytes on disk (compressed). */
  stored: number;
  /** Services that use the volume (stopped for the copy). */
  services: string[];
}

/** meta.json of a snapshot. */
export interface SnapshotMeta {
  version: 1;
  name: string;
  createdAt: string;
  /** The main repository of the source instance. */
  repo: string;
  source: { instance: string; path: string; branch: string | null };
  commit: string | null;
  /** The database's migration head when the manifest says how to read it, else null. */
  migrationHead: string | null;
  /** sha256 of the compose files' content (manifest order); a snapshot of another hash is refused. */
  composeHash: string;
  composeFiles: string[];
  /** How the copy was made consistent. */
  method: 'stopped' | 'offline';
  /** The image the helper container ran (id), a fallback for restoring. */
  image: string;
  volumes: SnapshotVolume[];
  /** Names of the generated secrets stored with the snapshot (the volume keeps its first password). */
  secrets: string[];
  elapsedMs: number;
}

/** A snapshot as listed: its metadata, its size on disk, whether it is its repository's default. */
export interface SnapshotSummary extends SnapshotMeta {
  sizeOnDisk: number;
  isDefault: boolean;
}

/** What a restore (create --snapshot, up --snapshot, reset) did. */
export interface RestoreSummary {
  snapshot: string;
  instance: string;
  volumes: { key: string; volume: string; bytes: number }[];
  /** Reasons the snapshot did not match, when --force overrode them. */
  forced: string[];
  elapsedMs: number;
}

/** reset: the restore, then the gate (exit 2 when it fails). */
export interface ResetResult {
  instance: import('./results').InstanceDetails;
  restore: RestoreSummary;
  gate: import('./types').GateReport;
}
